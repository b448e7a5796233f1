import { errorBox } from "../components/error-box.ts";
import { shootoutListPage } from "../components/shootout-item.ts";
import { h, mount } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

const PAGE_SIZE = 10;

/** Everyone's public shootouts, newest first, a page at a time; open to visitors not signed in. */
export const publicShootoutsPage: PageFactory = ({ query }) => {
  const cursor = query.get("cursor");
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const element = h(
    "section",
    null,
    h("div", { class: "page-head" }, h("h1", null, "Public shootouts")),
    h("p", { class: "muted" }, "Shootouts their players have shared: open one to listen."),
    body,
  );

  api.shootouts.listPublic
    .query({ cursor, limit: PAGE_SIZE })
    .then((page) => {
      if (page.items.length === 0 && !cursor) {
        mount(body, h("p", { class: "empty" }, "Nobody has shared a shootout yet."));
        return;
      }
      mount(body, shootoutListPage(page, cursor, "/public"));
    })
    .catch((error: unknown) => mount(body, errorBox(error)));

  return { title: "Public shootouts", element };
};
