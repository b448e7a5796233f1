import type { Tone, ToneModel, ToneSelectionInput } from "./api-types.ts";
import { type EffectPreset, gainEffect } from "./effects.ts";

/** A tone being set up on the new-shootout page. */
export interface DraftTone {
  /** Stable across reordering (for the DOM), not sent. */
  readonly key: string;
  readonly toneId: number;
  readonly toneTitle: string;
  readonly modelId: number;
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
    toneId: tone.id,
    toneTitle: tone.title,
    modelId: model.id,
    modelName: model.name,
    size: model.size,
    architecture: model.architecture,
    displayName: model.name === tone.title ? tone.title : `${tone.title} – ${model.name}`,
    highpass: true,
    presets: new Set(),
    gainDb: 0,
    ir: null,
  };
}

export function toSelectionInput(draft: DraftTone): ToneSelectionInput {
  const gain = gainEffect(draft.gainDb);
  return {
    tone3000ToneId: String(draft.toneId),
    tone3000ModelId: String(draft.modelId),
    displayName: draft.displayName,
    modelSize: draft.size,
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
