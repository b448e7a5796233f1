import type { ModelInfo } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { cabinetFrom, type DraftTone, hasSizes, move } from "../lib/draft-tone.ts";
import { EFFECT_PRESETS } from "../lib/effects.ts";
import { toShownError } from "../lib/errors.ts";
import { api } from "../lib/trpc.ts";
import { uploadFile } from "../lib/upload.ts";
import { checkbox } from "./field.ts";
import { toneBrowser } from "./tone-browser.ts";

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
  const infos = new Map<number, Promise<ModelInfo>>();
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
    const cabinetText = () =>
      tone.cabinet
        ? `IR: ${tone.cabinet.name}${tone.cabinet.source === "tone3000" ? " (Tone 3000)" : ""}`
        : "No IR (amp only)";
    const irStatus = h("span", { class: "meta", "aria-live": "polite" }, cabinetText());
    const irBrowser = h("div", { class: "ir-browser" });
    const browseIrs = h(
      "button",
      {
        type: "button",
        class: "small",
        "aria-label": `Browse Tone 3000 IRs for tone ${index + 1}`,
        onclick: () => {
          mount(
            irBrowser,
            toneBrowser(
              (irTone, model) => {
                tone.cabinet = cabinetFrom(irTone, model);
                irStatus.textContent = cabinetText();
                mount(irBrowser);
              },
              { mode: "cabinets" },
            ),
          );
        },
      },
      "Browse Tone 3000 IRs",
    );
    const noCab = h(
      "button",
      {
        type: "button",
        class: "small",
        "aria-label": `No cab for tone ${index + 1}`,
        disabled: !tone.amp,
        onclick: () => {
          if (!tone.amp) return;
          tone.cabinet = null;
          irStatus.textContent = cabinetText();
        },
      },
      "No cab",
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
            tone.cabinet = { source: "upload", fileId: uploaded.id, name: uploaded.name };
            irStatus.textContent = cabinetText();
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
      h(
        "p",
        { class: "meta" },
        tone.amp
          ? `Amp: ${tone.amp.toneTitle} · ${tone.amp.modelName} (${tone.amp.size})`
          : "No amp (cab only)",
        " · ",
        irStatus,
      ),
      tone.amp ? modelInfoLine(tone.amp.modelId) : null,
      hasSizes(tone.amp) ? sizePicker(tone, index) : null,
      h(
        "details",
        null,
        h("summary", null, "Cabinet IR, high-pass, effects"),
        h("div", { class: "options" }, h("label", null, "Upload a cabinet IR "), irInput, browseIrs, noCab),
        irBrowser,
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

  /** What the amp's model is (architecture, sizes, receptive field, rate), fetched once per model. */
  function modelInfoLine(modelId: string): HTMLElement {
    const line = h("p", { class: "meta model-info" }, "");
    const id = Number(modelId);
    if (!Number.isInteger(id) || id <= 0) return line;
    let info = infos.get(id);
    if (!info) {
      info = api.tones.modelInfo.query({ modelId: id });
      infos.set(id, info);
    }
    info
      .then((m) => {
        line.textContent = [
          m.family ? `${m.family} (${m.architecture})` : m.architecture,
          m.sizes.length > 1
            ? `${m.sizes.length} sizes: ${m.sizes.map((s) => s.label).join(", ")}`
            : m.sizes[0]?.label,
          m.receptiveField !== null ? `receptive field ${m.receptiveField} samples` : "recurrent",
          `${m.sampleRate / 1000} kHz`,
        ]
          .filter(Boolean)
          .join(" · ");
      })
      .catch((error: unknown) => {
        line.textContent = `Model: ${toShownError(error).message}`;
        line.classList.add("error-text");
      });
    return line;
  }

  /** An A2 capture holds several sizes: full (NAM's default) or the smallest ("Lite"). */
  function sizePicker(tone: DraftTone, index: number): HTMLElement {
    const select = h(
      "select",
      {
        "aria-label": `Size of the amp of tone ${index + 1}`,
        onchange: () => {
          if (tone.amp) tone.amp.slim = select.value === "smallest" ? 0 : null;
        },
      },
      h("option", { value: "full" }, "Full size"),
      h("option", { value: "smallest" }, "Smallest size"),
    );
    select.value = tone.amp?.slim === 0 ? "smallest" : "full";
    return h("label", { class: "check" }, "A2 size ", select);
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
