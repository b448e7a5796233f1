import { h } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";
import { signInUrl } from "../lib/sign-in-url.ts";

export const signInPage: PageFactory = ({ query }) => {
  const here =
    window.location.pathname === "/sign-in" ? "/" : `${window.location.pathname}${window.location.search}`;
  const returnTo = query.get("returnTo") ?? here;
  const element = h(
    "section",
    { class: "card narrow" },
    h("h1", null, "Tone shootouts"),
    h(
      "p",
      null,
      "Upload one DI recording, pick amp captures and cabinet IRs from Tone 3000, and hear the same ",
      "performance through every tone, measured side by side.",
    ),
    h("a", { class: "button primary", href: signInUrl(returnTo) }, "Sign in with Tone 3000"),
    h("p", { class: "hint" }, "You will come straight back here once Tone 3000 has approved the sign-in."),
  );
  return { title: "Sign in", element };
};
