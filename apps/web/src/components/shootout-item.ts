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
