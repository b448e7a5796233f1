import { errorBox } from "../components/error-box.ts";
import { recentRenders } from "../components/recent-renders.ts";
import { shootoutListPage } from "../components/shootout-item.ts";
import { h, mount } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

const PAGE_SIZE = 10;

/** My shootouts, newest first, a page at a time (the cursor rides in the URL, so Back works). */
export const shootoutsListPage: PageFactory = ({ query }) => {
  const cursor = query.get("cursor");
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const element = h(
    "section",
    null,
    h(
      "div",
      { class: "page-head" },
      h("h1", null, "My shootouts"),
      h("a", { class: "button primary", href: "/new" }, "New shootout"),
    ),
    body,
  );
  const renders = recentRenders();
  element.append(renders.element);

  api.shootouts.list
    .query({ cursor, limit: PAGE_SIZE })
    .then((page) => {
      if (page.items.length === 0 && !cursor) {
        mount(
          body,
          h(
            "p",
            { class: "empty" },
            "No shootouts yet. Start one with ",
            h("a", { href: "/new" }, "New shootout"),
            ".",
          ),
        );
        return;
      }
      mount(body, shootoutListPage(page, cursor, "/"));
    })
    .catch((error: unknown) => mount(body, errorBox(error)));

  return { title: "My shootouts", element, dispose: renders.dispose };
};
