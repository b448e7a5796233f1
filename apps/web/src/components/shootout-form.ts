import type { OutputFormat, Shootout, ShootoutCreateInput } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { type DraftTone, draftFrom, toSelectionInput } from "../lib/draft-tone.ts";
import { toShownError } from "../lib/errors.ts";
import { uploadFile } from "../lib/upload.ts";
import { errorBox } from "./error-box.ts";
import { checkbox, type Field, field } from "./field.ts";
import { toneBrowser } from "./tone-browser.ts";
import { toneSelectionList } from "./tone-selection-list.ts";

const FORMATS: readonly { value: OutputFormat; label: string }[] = [
  { value: "flac", label: "FLAC" },
  { value: "wav", label: "WAV" },
  { value: "mp4", label: "MP4 video" },
];

export interface ShootoutFormOptions {
  /** "New shootout" or "Edit …": the form's accessible name. */
  readonly label: string;
  readonly submitLabel: string;
  /** The saved shootout being edited (its DI is kept unless another is uploaded), or null. */
  readonly initial: Shootout | null;
  /** Its tones as drafts, in play order (the edit page makes them). */
  readonly initialTones?: readonly DraftTone[];
  /**
   * Saves it; `changed` holds the fields that differ from the form as it was filled in (all of
   * them for a new shootout). A rejection's field errors show beside the fields, the rest above
   * the button.
   */
  submit(input: ShootoutCreateInput, changed: Partial<ShootoutCreateInput>): Promise<void>;
}

/**
 * The shootout form of the new and edit pages: recording (name, DI, guitar, pickup, description),
 * tones (from Tone 3000, in play order, each with IR, high-pass and effects) and output (formats,
 * loudness, rate, blind, public).
 */
export function shootoutForm(options: ShootoutFormOptions): HTMLElement {
  const initial = options.initial;
  let diFileId: string | null = initial?.diFileId ?? null;
  const formats = new Set<OutputFormat>(initial?.outputFormats ?? ["flac"]);
  const text = (value: string | null | undefined) => value ?? "";

  const name = field(
    "Name",
    h("input", {
      type: "text",
      name: "name",
      required: true,
      placeholder: "Clean amps, Strat neck pickup",
      value: text(initial?.name),
    }),
  );
  const description = field(
    "Description",
    h("textarea", { name: "description" }, text(initial?.description)),
  );
  const guitar = field("Guitar", h("input", { type: "text", name: "guitar", value: text(initial?.guitar) }));
  const pickup = field("Pickup", h("input", { type: "text", name: "pickup", value: text(initial?.pickup) }));
  const diStatus = h(
    "span",
    { class: "meta", "aria-live": "polite" },
    initial ? "The current DI is kept; choose a file to replace it." : "WAV, FLAC, AIFF or MP3",
  );
  const di = field(
    "DI recording",
    h("input", {
      type: "file",
      name: "di",
      accept: ".wav,.flac,.aif,.aiff,.mp3,audio/*",
      onchange: () => {
        const file = di.control.files?.[0];
        if (!file) return;
        diFileId = null;
        di.showErrors([]);
        diStatus.textContent = `Uploading ${file.name}…`;
        uploadFile(file, "di")
          .then((uploaded) => {
            diFileId = uploaded.id;
            diStatus.textContent = `Uploaded ${uploaded.name} ✓`;
          })
          .catch((error: unknown) => {
            diStatus.textContent = "";
            di.showErrors([toShownError(error).message]);
          });
      },
    }),
    diStatus,
  );

  const formError = h("div");
  const tonesError = h("p", { class: "field-error", id: "tones-error", hidden: true });
  // A complaint about the tones is stale once they change.
  const tones = toneSelectionList(() => {
    tonesError.textContent = "";
    tonesError.hidden = true;
    mount(formError);
  });
  for (const draft of options.initialTones ?? []) tones.add(draft);
  const browser = toneBrowser((tone, model) => tones.add(draftFrom(tone, model)));

  const blind = checkbox(
    "Blind mode: shuffle the order and hide the names until I reveal them",
    initial?.blind ?? false,
  );
  const isPublic = checkbox("Public: anyone with the link can listen", initial?.isPublic ?? false);
  const normalize = checkbox("Normalize loudness", initial?.normalizeLoudness ?? true);
  const target = field(
    "Target loudness (LUFS)",
    h("input", {
      type: "number",
      name: "targetLufs",
      value: String(initial?.targetLufs ?? -18),
      min: "-60",
      max: "0",
      step: "0.5",
    }),
  );
  const sampleRate = field(
    "Sample rate",
    h(
      "select",
      { name: "sampleRate" },
      [44100, 48000, 88200, 96000].map((rate) => {
        const option = h("option", { value: String(rate) }, `${rate / 1000} kHz`);
        option.selected = rate === (initial?.sampleRate ?? 48000);
        return option;
      }),
    ),
  );
  const formatsError = h("p", { class: "field-error", id: "outputFormats-error", hidden: true });
  const formatBoxes = FORMATS.map(
    (f) =>
      checkbox(f.label, formats.has(f.value), (on) => {
        if (on) formats.add(f.value);
        else formats.delete(f.value);
      }).element,
  );

  const submit = h("button", { type: "submit", class: "primary" }, options.submitLabel);
  const fields: Record<string, Field<HTMLElement>> = {
    name,
    description,
    guitar,
    pickup,
    diFileId: di,
    targetLufs: target,
    sampleRate,
  };
  const slots: Record<string, HTMLElement> = { tones: tonesError, outputFormats: formatsError };

  function showErrors(byField: Readonly<Record<string, readonly string[]>>) {
    for (const [key, f] of Object.entries(fields)) f.showErrors(byField[key] ?? []);
    for (const [key, slot] of Object.entries(slots)) {
      const messages = byField[key] ?? [];
      slot.textContent = messages.join(" ");
      slot.hidden = messages.length === 0;
    }
  }

  /** What the form holds now, as the router takes it (null until a DI is there). */
  function readInput(): ShootoutCreateInput | null {
    if (!diFileId) return null;
    return {
      name: name.control.value,
      description: description.control.value,
      diFileId,
      guitar: guitar.control.value,
      pickup: pickup.control.value,
      sampleRate: Number(sampleRate.control.value) as ShootoutCreateInput["sampleRate"],
      outputFormats: FORMATS.map((f) => f.value).filter((f) => formats.has(f)),
      normalizeLoudness: normalize.input.checked,
      targetLufs: Number(target.control.value),
      isPublic: isPublic.input.checked,
      blind: blind.input.checked,
      tones: tones.tones().map(toSelectionInput),
    };
  }
  // As filled in, field by field (taken now: the tone rows edit their drafts in place).
  const filledIn = new Map(Object.entries(readInput() ?? {}).map(([k, v]) => [k, JSON.stringify(v)]));

  async function onSubmit(event: SubmitEvent) {
    event.preventDefault();
    mount(formError);
    showErrors({});
    const input = readInput();
    if (!input) {
      showErrors({ diFileId: ["Upload a DI recording first (or wait for its upload to finish)."] });
      di.control.focus();
      return;
    }
    const changed = Object.fromEntries(
      Object.entries(input).filter(([k, v]) => JSON.stringify(v) !== filledIn.get(k)),
    ) as Partial<ShootoutCreateInput>;
    submit.disabled = true;
    try {
      await options.submit(input, changed);
    } catch (error) {
      const shown = toShownError(error);
      showErrors(shown.fields);
      mount(formError, errorBox(error));
      submit.disabled = false;
    }
  }

  return h(
    "form",
    { class: "stack", onsubmit: (e) => void onSubmit(e), "aria-label": options.label },
    h(
      "fieldset",
      null,
      h("legend", null, "Recording"),
      name.element,
      di.element,
      h("div", { class: "pair" }, guitar.element, pickup.element),
      description.element,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Tones (in play order)"),
      tones.element,
      tonesError,
      h("h3", null, "Add tones from Tone 3000"),
      browser,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Output"),
      h("div", { class: "checks", role: "group", "aria-label": "Output formats" }, formatBoxes),
      formatsError,
      normalize.element,
      h("div", { class: "pair" }, target.element, sampleRate.element),
      blind.element,
      isPublic.element,
    ),
    formError,
    submit,
  );
}
