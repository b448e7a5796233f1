import { h, mount } from "../lib/dom.ts";
import { type DraftTone, move } from "../lib/draft-tone.ts";
import { EFFECT_PRESETS } from "../lib/effects.ts";
import { toShownError } from "../lib/errors.ts";
import { uploadFile } from "../lib/upload.ts";
import { checkbox } from "./field.ts";

export interface ToneSelectionList {
  readonly element: HTMLElement;
  add(tone: DraftTone): void;
  tones(): readonly DraftTone[];
}

/** The shootout's tones in play order, each with its IR, high-pass and effects. */
export function toneSelectionList(
  onChange: (tones: readonly DraftTone[]) => void = () => {},
): ToneSelectionList {
  let tones: DraftTone[] = [];
  const list = h("ol", { class: "selection", "aria-label": "Tones in this shootout" });

  function render() {
    onChange(tones);
    if (tones.length === 0) {
      mount(list, h("li", { class: "empty" }, "No tones yet: add at least two from Tone 3000 below."));
      return;
    }
    mount(
      list,
      tones.map((tone, index) => row(tone, index)),
    );
  }

  function row(tone: DraftTone, index: number): HTMLElement {
    const name = h("input", {
      type: "text",
      value: tone.displayName,
      "aria-label": `Display name of tone ${index + 1}`,
      oninput: () => {
        tone.displayName = name.value;
      },
    });
    const irStatus = h(
      "span",
      { class: "meta", "aria-live": "polite" },
      tone.ir ? `IR: ${tone.ir.name}` : "No IR (amp only)",
    );
    const irInput = h("input", {
      type: "file",
      accept: ".wav,.flac,.aif,.aiff,audio/*",
      "aria-label": `Cabinet IR for tone ${index + 1}`,
      onchange: () => {
        const file = irInput.files?.[0];
        if (!file) return;
        irStatus.textContent = `Uploading ${file.name}…`;
        uploadFile(file, "ir")
          .then((uploaded) => {
            tone.ir = { fileId: uploaded.id, name: uploaded.name };
            irStatus.textContent = `IR: ${uploaded.name}`;
          })
          .catch((error: unknown) => {
            irStatus.textContent = `IR upload failed: ${toShownError(error).message}`;
            irStatus.classList.add("error-text");
          });
      },
    });
    const gain = h("input", {
      type: "number",
      min: "-24",
      max: "24",
      step: "0.5",
      value: String(tone.gainDb),
      "aria-label": `Gain in dB for tone ${index + 1}`,
      oninput: () => {
        tone.gainDb = Number(gain.value);
      },
    });
    const effects = EFFECT_PRESETS.map(
      (preset) =>
        checkbox(preset.label, tone.presets.has(preset.value), (on) => {
          if (on) tone.presets.add(preset.value);
          else tone.presets.delete(preset.value);
        }).element,
    );
    const shift = (by: number) => {
      tones = move(tones, index, by);
      render();
    };
    return h(
      "li",
      { class: "selected-tone", "data-testid": "selected-tone" },
      h(
        "div",
        { class: "row" },
        name,
        h(
          "span",
          { class: "buttons" },
          h(
            "button",
            {
              type: "button",
              class: "small",
              disabled: index === 0,
              "aria-label": `Move tone ${index + 1} up`,
              onclick: () => shift(-1),
            },
            "↑",
          ),
          h(
            "button",
            {
              type: "button",
              class: "small",
              disabled: index === tones.length - 1,
              "aria-label": `Move tone ${index + 1} down`,
              onclick: () => shift(1),
            },
            "↓",
          ),
          h(
            "button",
            {
              type: "button",
              class: "small danger",
              "aria-label": `Remove tone ${index + 1}`,
              onclick: () => {
                tones = tones.filter((t) => t.key !== tone.key);
                render();
              },
            },
            "Remove",
          ),
        ),
      ),
      h("p", { class: "meta" }, `${tone.toneTitle} · ${tone.modelName} (${tone.size})`),
      h(
        "details",
        null,
        h("summary", null, "Cabinet IR, high-pass, effects"),
        h("div", { class: "options" }, h("label", null, "Cabinet IR "), irInput, irStatus),
        checkbox("80 Hz high-pass before the amp", tone.highpass, (on) => {
          tone.highpass = on;
        }).element,
        h(
          "fieldset",
          { class: "effects" },
          h("legend", null, "Effects after the amp"),
          effects,
          h("label", { class: "check" }, "Gain (dB) ", gain),
        ),
      ),
    );
  }

  render();
  return {
    element: list,
    add(tone) {
      tones = [...tones, tone];
      render();
    },
    tones: () => tones,
  };
}
