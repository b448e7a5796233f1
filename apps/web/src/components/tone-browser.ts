import type { Tone, ToneModel } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { api } from "../lib/trpc.ts";
import { errorBox } from "./error-box.ts";

type Source = "search" | "favorites" | "mine";

const PAGE_SIZE = 8;
const EMPTY: Record<Source, string> = {
  search: "No tones match.",
  favorites: "No favorites match.",
  mine: "You have not published tones that match.",
};

/**
 * Tone 3000's catalogue through the user's own account: search, or their favourites; open a tone
 * to list its NAM models and add one to the shootout.
 */
export function toneBrowser(onPick: (tone: Tone, model: ToneModel) => void): HTMLElement {
  let source: Source = "search";
  let page = 1;

  const queryInput = h("input", {
    type: "search",
    id: "tone-query",
    placeholder: "amp, pedal, maker…",
    "aria-label": "Search Tone 3000",
  });
  const results = h("div", { class: "tone-results", "aria-live": "polite" });
  const tabs = {
    search: h("button", { type: "button", role: "tab", onclick: () => select("search") }, "Search Tone 3000"),
    favorites: h(
      "button",
      { type: "button", role: "tab", onclick: () => select("favorites") },
      "My favorites",
    ),
    mine: h("button", { type: "button", role: "tab", onclick: () => select("mine") }, "My tones"),
  };

  function select(next: Source) {
    source = next;
    page = 1;
    for (const [name, tab] of Object.entries(tabs)) tab.setAttribute("aria-selected", String(name === next));
    void load();
  }

  async function load() {
    mount(results, h("p", { class: "muted" }, "Loading tones…"));
    const query = queryInput.value.trim() || undefined;
    try {
      const found =
        source === "search"
          ? await api.tones.search.query({ query, page, pageSize: PAGE_SIZE })
          : source === "favorites"
            ? await api.tones.favorites.query({ query, page, pageSize: PAGE_SIZE })
            : await api.tones.mine.query({ query, page, pageSize: PAGE_SIZE });
      if (found.items.length === 0) {
        mount(results, h("p", { class: "empty" }, EMPTY[source]));
        return;
      }
      mount(
        results,
        h(
          "ul",
          { class: "tone-list" },
          found.items.map((tone) => toneRow(tone)),
        ),
        h(
          "nav",
          { class: "pager", "aria-label": "Tone pages" },
          page > 1 ? h("button", { type: "button", onclick: () => turn(-1) }, "← Previous") : null,
          h("span", { class: "muted" }, `Page ${found.page} of ${Math.max(1, found.totalPages)}`),
          found.page < found.totalPages
            ? h("button", { type: "button", onclick: () => turn(1) }, "Next →")
            : null,
        ),
      );
    } catch (error) {
      mount(results, errorBox(error));
    }
  }

  function turn(by: number) {
    page += by;
    void load();
  }

  function toneRow(tone: Tone): HTMLElement {
    const models = h("div", { class: "models" });
    const open = h(
      "button",
      {
        type: "button",
        "aria-label": `Models of ${tone.title}`,
        onclick: () => {
          open.disabled = true;
          void listModels(tone, models).finally(() => {
            open.disabled = false;
          });
        },
      },
      "Models",
    );
    return h(
      "li",
      { class: "tone" },
      h(
        "div",
        { class: "tone-head" },
        h("strong", null, tone.title),
        h(
          "span",
          { class: "meta" },
          `${tone.gear} · by ${tone.creator.username} · ${tone.modelsCount} models`,
        ),
        open,
      ),
      models,
    );
  }

  async function listModels(tone: Tone, into: HTMLElement) {
    mount(into, h("p", { class: "muted" }, "Loading models…"));
    try {
      const page = await api.tones.models.query({ toneId: tone.id, pageSize: 25 });
      // IRs are listed too (architecture null); a shootout's tone is a NAM model.
      const nam = page.items.filter((m) => m.architecture !== null);
      if (nam.length === 0) {
        mount(into, h("p", { class: "empty" }, "This tone has no NAM models."));
        return;
      }
      mount(
        into,
        h(
          "ul",
          { class: "model-list" },
          nam.map((model) =>
            h(
              "li",
              null,
              h("span", null, `${model.name} `, h("span", { class: "meta" }, `${model.size}`)),
              h(
                "button",
                {
                  type: "button",
                  class: "small",
                  "aria-label": `Add ${model.name}`,
                  onclick: () => onPick(tone, model),
                },
                "Add",
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      mount(into, errorBox(error));
    }
  }

  const form = h(
    "form",
    {
      class: "inline",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        page = 1;
        void load();
      },
    },
    queryInput,
    h("button", { type: "submit" }, "Search"),
  );

  const element = h(
    "div",
    { class: "tone-browser" },
    h("div", { role: "tablist", class: "tabs" }, tabs.search, tabs.favorites, tabs.mine),
    form,
    results,
  );
  select("search");
  return element;
}
