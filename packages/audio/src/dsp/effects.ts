import { Biquad, highPass, highShelf, lowPass } from "./biquad.ts";
import { applyDelay, DEFAULT_BPM, delayPresetParams } from "./delay.ts";
import { type Effect, type EqPreset, parseEffectSpec } from "./effect-spec.ts";
import { applyGainDb } from "./gain.ts";
import { applyReverb } from "./reverb.ts";

/** Parameters of the EQ presets (see effect-spec.ts for the vocabulary). */
export const EQ_PRESETS = {
  highpass_80hz: { type: "highpass", freq: 80, q: Math.SQRT1_2 },
  lowpass_12k: { type: "lowpass", freq: 12_000, q: Math.SQRT1_2 },
  highshelf_presence: { type: "highshelf", freq: 3_500, gainDb: 3, slope: 1 },
} as const satisfies Record<EqPreset, unknown>;

export interface ApplyEffectsOptions {
  /** Tempo for `delay:quarter` (default 120). */
  bpm?: number;
  /** Let reverb/delay ring out this long past the end (default 0: same length as the input). */
  tailSeconds?: number;
  /** EQ and gain change `samples` itself instead of a copy. */
  inPlace?: boolean;
}

/**
 * Apply effects in order. Returns a new array (EQ and gain work on a copy), or with `inPlace`
 * EQ and gain work on `samples` itself (reverb and delay still return new arrays).
 */
export function applyEffects(
  samples: Float32Array,
  sampleRate: number,
  effects: readonly (Effect | string)[],
  options: ApplyEffectsOptions = {},
): Float32Array {
  let x: Float32Array = options.inPlace ? samples : samples.slice();
  for (const item of effects) {
    const e = typeof item === "string" ? parseEffectSpec(item) : item;
    switch (e.kind) {
      case "eq": {
        const p = EQ_PRESETS[e.preset];
        const c =
          p.type === "highpass"
            ? highPass(p.freq, sampleRate, p.q)
            : p.type === "lowpass"
              ? lowPass(Math.min(p.freq, sampleRate * 0.45), sampleRate, p.q)
              : highShelf(p.freq, sampleRate, p.gainDb, p.slope);
        new Biquad(c).process(x);
        break;
      }
      case "gain":
        applyGainDb(x, e.db);
        break;
      case "reverb":
        x = applyReverb(x, sampleRate, e.preset, options.tailSeconds ?? 0);
        break;
      case "delay":
        x = applyDelay(
          x,
          sampleRate,
          delayPresetParams(e.preset, options.bpm ?? DEFAULT_BPM),
          options.tailSeconds ?? 0,
        );
        break;
    }
  }
  return x;
}
