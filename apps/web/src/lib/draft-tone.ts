import type { Tone, ToneModel, ToneSelection, ToneSelectionInput } from "./api-types.ts";
import { EFFECT_PRESETS, type EffectPreset, gainEffect } from "./effects.ts";

/** A tone being set up on the new-shootout or edit page. */
export interface DraftTone {
  /** Stable across reordering (for the DOM), not sent. */
  readonly key: string;
  readonly toneId: string;
  readonly toneTitle: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly size: string;
  readonly architecture: string | null;
  displayName: string;
  highpass: boolean;
  presets: Set<EffectPreset>;
  gainDb: number;
  ir: { fileId: string; name: string } | null;
}

let keys = 0;

export function draftFrom(tone: Tone, model: ToneModel): DraftTone {
  return {
    key: `t${++keys}`,
    toneId: String(tone.id),
    toneTitle: tone.title,
    modelId: String(model.id),
    modelName: model.name,
    size: model.size ?? "",
    architecture: model.architecture,
    displayName: model.name === tone.title ? tone.title : `${tone.title} – ${model.name}`,
    highpass: true,
    presets: new Set(),
    gainDb: 0,
    ir: null,
  };
}

const isPreset = (effect: string): effect is EffectPreset => EFFECT_PRESETS.some((p) => p.value === effect);

/**
 * A saved tone back as a draft (the edit page): its presets and its gain (summed, as the page
 * edits one gain); `irName` is the IR file's name when known.
 */
export function draftFromSelection(tone: ToneSelection, irName: string | null): DraftTone {
  const gains = tone.effects.filter((e) => e.startsWith("gain:")).map((e) => Number(e.slice(5)));
  return {
    key: `t${++keys}`,
    toneId: tone.tone3000ToneId,
    toneTitle: tone.displayName,
    modelId: tone.tone3000ModelId,
    modelName: tone.displayName,
    size: tone.modelSize ?? "",
    architecture: tone.architecture,
    displayName: tone.displayName,
    highpass: tone.highpass,
    presets: new Set(tone.effects.filter(isPreset)),
    gainDb: gains.reduce((a, b) => a + b, 0),
    ir: tone.irFileId ? { fileId: tone.irFileId, name: irName ?? "the current IR" } : null,
  };
}

export function toSelectionInput(draft: DraftTone): ToneSelectionInput {
  const gain = gainEffect(draft.gainDb);
  return {
    tone3000ToneId: draft.toneId,
    tone3000ModelId: draft.modelId,
    displayName: draft.displayName,
    modelSize: draft.size || null,
    architecture: draft.architecture,
    irFileId: draft.ir?.fileId ?? null,
    highpass: draft.highpass,
    effects: [...draft.presets, ...(gain ? [gain] : [])],
  };
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
