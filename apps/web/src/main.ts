import "./styles.css";
import { startApp } from "./app.ts";
import { h, mount } from "./lib/dom.ts";
import { toShownError } from "./lib/errors.ts";
import { api } from "./lib/trpc.ts";

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");

api.auth.me
  .query()
  .then((me) => startApp(root, me))
  .catch((error: unknown) => {
    mount(
      root,
      h(
        "section",
        { class: "card narrow" },
        h("h1", null, "The server cannot be reached"),
        h("p", { class: "error", role: "alert" }, toShownError(error).message),
        h("button", { type: "button", onclick: () => window.location.reload() }, "Try again"),
      ),
    );
  });
