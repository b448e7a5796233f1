import type { Shootout } from "../lib/api-types.ts";
import { h } from "../lib/dom.ts";
import { formatDate } from "../lib/format.ts";

/** One shootout in a list: its name (a link), tone count, date and badges. */
export function shootoutItem(shootout: Shootout): HTMLElement {
  return h(
    "li",
    { class: "shootout-item" },
    h("a", { href: `/shootouts/${shootout.id}` }, shootout.name),
    h(
      "span",
      { class: "meta" },
      `${shootout.tones.length} tones · ${formatDate(shootout.createdAt)}`,
      shootout.blind ? h("span", { class: "badge" }, "blind") : null,
      shootout.isPublic && shootout.isOwner ? h("span", { class: "badge" }, "public") : null,
      shootout.processedAt ? h("span", { class: "badge ok" }, "rendered") : null,
    ),
  );
}

/**
 * A page of shootouts and its pager: "← Newest" when not on the first page, "Older →" when there
 * is a next (the cursor rides in the URL under `path`, so Back works).
 */
export function shootoutListPage(
  page: { items: readonly Shootout[]; nextCursor: string | null },
  cursor: string | null,
  path: string,
): HTMLElement[] {
  return [
    h("ul", { class: "shootout-list" }, page.items.map(shootoutItem)),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      cursor ? h("a", { href: path }, "← Newest") : null,
      page.nextCursor
        ? h(
            "a",
            { href: `${path}?${new URLSearchParams({ cursor: page.nextCursor })}`, "data-testid": "older" },
            "Older →",
          )
        : null,
    ),
  ];
}
