import { h } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";

export const notFoundPage: PageFactory = () => ({
  title: "Not found",
  element: h(
    "section",
    { class: "card narrow" },
    h("h1", null, "Nothing here"),
    h("p", null, h("a", { href: "/" }, "Back to my shootouts")),
  ),
});
