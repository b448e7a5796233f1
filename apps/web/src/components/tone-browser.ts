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

/** What a tone is, in one line: gear and format as Tone 3000 names them (new values as they come). */
function toneMeta(tone: Tone): string {
  const kind = [tone.gear, tone.format === "nam" ? null : tone.format?.toUpperCase()]
    .filter(Boolean)
    .join(" ");
  const counts = [
    tone.counts.a1 ? `${tone.counts.a1} A1` : null,
    tone.counts.a2 ? `${tone.counts.a2} A2` : null,
    tone.counts.custom ? `${tone.counts.custom} custom` : null,
    tone.counts.irs ? `${tone.counts.irs} IR${tone.counts.irs === 1 ? "" : "s"}` : null,
  ].filter(Boolean);
  const models =
    counts.length > 0 ? counts.join(", ") : tone.modelsCount !== null ? `${tone.modelsCount} models` : null;
  // Lists leave the licence out (only a tone's detail has it); shown when known.
  const licence = tone.license ? `licence ${tone.license}` : null;
  return [kind || null, `by ${tone.creator.username}`, licence, models].filter(Boolean).join(" · ");
}

/**
 * Tone 3000's catalogue through the user's own account: search, or their favourites; open a tone
 * to list its models (every architecture, labelled) and add one to the shootout. What this build
 * cannot render is listed too, greyed out with the reason.
 */
export function toneBrowser(
  onPick: (tone: Tone, model: ToneModel) => void,
  options: {
    /**
     * "tones" (default): every model; a `.nam` adds an amp tone, an IR a cabinet-only tone.
     * "cabinets": Tone 3000's IR tones (format `ir`) only, their IRs picked as a cabinet.
     */
    mode?: "tones" | "cabinets";
  } = {},
): HTMLElement {
  const cabinets = options.mode === "cabinets";
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
    // Tone 3000 filters only its search; favourites and own tones come as they are.
    form.hidden = next !== "search";
    for (const [name, tab] of Object.entries(tabs)) tab.setAttribute("aria-selected", String(name === next));
    void load();
  }

  async function load() {
    mount(results, h("p", { class: "muted" }, "Loading tones…"));
    const query = queryInput.value.trim() || undefined;
    try {
      const found =
        source === "search"
          ? await api.tones.search.query({
              query,
              page,
              pageSize: PAGE_SIZE,
              ...(cabinets ? { format: "ir" as const } : {}),
            })
          : source === "favorites"
            ? await api.tones.favorites.query({ page, pageSize: PAGE_SIZE })
            : await api.tones.mine.query({ page, pageSize: PAGE_SIZE });
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
    // Only https images (Tone 3000's CDN); anything else is not shown.
    const image = tone.images.find((src) => src.startsWith("https://"));
    const terms = [...tone.makes, ...tone.tags];
    return h(
      "li",
      { class: "tone" },
      h(
        "div",
        { class: "tone-head" },
        image
          ? h("img", { class: "tone-image", src: image, alt: "", loading: "lazy", width: "48", height: "48" })
          : null,
        h("strong", null, tone.title),
        h("span", { class: "meta" }, toneMeta(tone)),
        open,
      ),
      terms.length > 0
        ? h(
            "ul",
            { class: "terms", "aria-label": `Makes and tags of ${tone.title}` },
            tone.makes.map((m) => h("li", { class: "make" }, m)),
            tone.tags.map((t) => h("li", { class: "tag" }, t)),
          )
        : null,
      models,
    );
  }

  async function listModels(tone: Tone, into: HTMLElement) {
    mount(into, h("p", { class: "muted" }, "Loading models…"));
    try {
      // The licence is only in a tone's detail (lists leave it out).
      const [page, detail] = await Promise.all([
        api.tones.models.query({ toneId: tone.id, pageSize: 25 }),
        tone.license ? Promise.resolve(tone) : api.tones.get.query({ id: tone.id }).catch(() => null),
      ]);
      const credit = h(
        "p",
        { class: "meta credit" },
        `By ${tone.creator.username} · licence ${detail?.license ?? "unknown"}`,
      );
      if (page.items.length === 0) {
        mount(into, h("p", { class: "empty" }, "This tone has no models."));
        return;
      }
      mount(
        into,
        credit,
        h(
          "ul",
          { class: "model-list" },
          page.items.map((model) => {
            // An IR is never an amp, but always a cabinet; a .nam is never a cabinet.
            const isIr = model.kind === "ir";
            const pickable = cabinets ? isIr : isIr || model.renderable;
            const reason = cabinets
              ? "not an IR (pick it as an amp)"
              : (model.unsupportedReason ?? "cannot be rendered");
            const label = cabinets
              ? `Use ${model.name}`
              : isIr
                ? `Add ${model.name} (cab only)`
                : `Add ${model.name}`;
            return h(
              "li",
              pickable ? null : { class: "unsupported" },
              h("span", null, `${model.name} `, h("span", { class: "meta" }, model.label)),
              pickable
                ? h(
                    "button",
                    {
                      type: "button",
                      class: "small",
                      "aria-label": label,
                      onclick: () => onPick(tone, model),
                    },
                    cabinets ? "Use as cab" : isIr ? "Add (cab only)" : "Add",
                  )
                : h("span", { class: "meta", role: "note" }, reason),
            );
          }),
        ),
        page.totalPages > 1
          ? h("p", { class: "muted" }, `First ${page.items.length} of ${page.total} models.`)
          : null,
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
