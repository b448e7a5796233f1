import type { Tone, ToneModel, ToneSelection, ToneSelectionInput } from "./api-types.ts";
import { EFFECT_PRESETS, type EffectPreset, gainEffect } from "./effects.ts";

/** The amp of a tone being set up: a Tone 3000 NAM model, and for an A2 capture its size. */
export interface DraftAmp {
  readonly toneId: string;
  readonly toneTitle: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly size: string;
  readonly architecture: string | null;
  /** NAM's slim value for a slimmable (A2) capture: null = full, 0 = smallest. */
  slim: number | null;
}

/** The cabinet of a tone being set up: an uploaded IR or a Tone 3000 IR. */
export type DraftCabinet =
  | { readonly source: "upload"; readonly fileId: string; readonly name: string }
  | { readonly source: "tone3000"; readonly toneId: string; readonly modelId: string; readonly name: string };

/** A tone being set up on the new-shootout or edit page: an amp and/or a cabinet. */
export interface DraftTone {
  /** Stable across reordering (for the DOM), not sent. */
  readonly key: string;
  readonly amp: DraftAmp | null;
  displayName: string;
  highpass: boolean;
  presets: Set<EffectPreset>;
  gainDb: number;
  cabinet: DraftCabinet | null;
}

let keys = 0;

const nameFor = (tone: Tone, model: ToneModel) =>
  model.name === tone.title ? tone.title : `${tone.title} – ${model.name}`;

/** A Tone 3000 IR model as a cabinet. */
export function cabinetFrom(tone: Tone, model: ToneModel): DraftCabinet {
  return {
    source: "tone3000",
    toneId: String(tone.id),
    modelId: String(model.id),
    name: nameFor(tone, model),
  };
}

/** A new tone from a Tone 3000 model: an amp for a `.nam`, a cabinet-only tone for an IR. */
export function draftFrom(tone: Tone, model: ToneModel): DraftTone {
  const isIr = model.kind === "ir";
  return {
    key: `t${++keys}`,
    amp: isIr
      ? null
      : {
          toneId: String(tone.id),
          toneTitle: tone.title,
          modelId: String(model.id),
          modelName: model.name,
          size: model.size ?? "",
          architecture: model.architecture,
          slim: null,
        },
    displayName: nameFor(tone, model),
    highpass: true,
    presets: new Set(),
    gainDb: 0,
    cabinet: isIr ? cabinetFrom(tone, model) : null,
  };
}

const isPreset = (effect: string): effect is EffectPreset => EFFECT_PRESETS.some((p) => p.value === effect);

/**
 * A saved tone back as a draft (the edit page): its presets and its gain (summed, as the page
 * edits one gain); `irName` is the uploaded IR file's name when known.
 */
export function draftFromSelection(tone: ToneSelection, irName: string | null): DraftTone {
  const gains = tone.effects.filter((e) => e.startsWith("gain:")).map((e) => Number(e.slice(5)));
  const cabinet: DraftCabinet | null =
    tone.cabinet?.source === "tone3000"
      ? {
          source: "tone3000",
          toneId: tone.cabinet.tone3000ToneId,
          modelId: tone.cabinet.tone3000ModelId,
          name: tone.cabinet.name ?? "Tone 3000 IR",
        }
      : tone.cabinet?.source === "upload" && tone.cabinet.irFileId
        ? {
            source: "upload",
            fileId: tone.cabinet.irFileId,
            name: irName ?? tone.cabinet.name ?? "the current IR",
          }
        : null;
  return {
    key: `t${++keys}`,
    amp: tone.amp
      ? {
          toneId: tone.amp.tone3000ToneId,
          toneTitle: tone.displayName,
          modelId: tone.amp.tone3000ModelId,
          modelName: tone.displayName,
          size: tone.amp.modelSize ?? "",
          architecture: tone.amp.architecture,
          slim: tone.amp.slim,
        }
      : null,
    displayName: tone.displayName,
    highpass: tone.highpass,
    presets: new Set(tone.effects.filter(isPreset)),
    gainDb: gains.reduce((a, b) => a + b, 0),
    cabinet,
  };
}

export function toSelectionInput(draft: DraftTone): ToneSelectionInput {
  const gain = gainEffect(draft.gainDb);
  const cabinet = draft.cabinet;
  return {
    displayName: draft.displayName,
    amp: draft.amp
      ? {
          tone3000ToneId: draft.amp.toneId,
          tone3000ModelId: draft.amp.modelId,
          modelSize: draft.amp.size || null,
          architecture: draft.amp.architecture,
          size: draft.amp.slim,
        }
      : null,
    cabinet:
      cabinet === null
        ? null
        : cabinet.source === "upload"
          ? { source: "upload", irFileId: cabinet.fileId }
          : {
              source: "tone3000",
              tone3000ToneId: cabinet.toneId,
              tone3000ModelId: cabinet.modelId,
              name: cabinet.name,
            },
    highpass: draft.highpass,
    effects: [...draft.presets, ...(gain ? [gain] : [])],
  };
}

/** Whether an amp is a slimmable A2 capture whose size can be chosen. */
export function hasSizes(amp: DraftAmp | null): boolean {
  return amp !== null && /^a?2$/i.test(amp.architecture ?? "");
}

/** Moves the item at `index` by `by` places (−1 up, +1 down); out-of-range moves change nothing. */
export function move<T>(items: readonly T[], index: number, by: number): T[] {
  const to = index + by;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return [...items];
  const copy = [...items];
  const [item] = copy.splice(index, 1);
  copy.splice(to, 0, item as T);
  return copy;
}
