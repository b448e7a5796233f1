/**
 * Feedback delays, mono. Repeats pass through a one-pole lowpass (like a tape/analog delay darkening
 * each echo).
 *
 * | preset   | time               | feedback | wet  | dry | repeat lowpass |
 * |---|---|---|---|---|---|
 * | slapback | 110 ms             | 0.10     | 0.40 | 1   | 5 kHz |
 * | quarter  | 60 / BPM s (1 beat)| 0.35     | 0.30 | 1   | 6 kHz |
 */
import type { DelayPreset } from "./effect-spec.ts";

export type { DelayPreset };

export interface DelayParams {
  timeMs: number;
  feedback: number;
  wet: number;
  dry: number;
  lowpassHz: number;
}

export const DEFAULT_BPM = 120;

export function delayPresetParams(preset: DelayPreset, bpm = DEFAULT_BPM): DelayParams {
  if (!(bpm >= 20 && bpm <= 400)) throw new RangeError(`BPM ${bpm} out of range (20..400)`);
  return preset === "slapback"
    ? { timeMs: 110, feedback: 0.1, wet: 0.4, dry: 1, lowpassHz: 5000 }
    : { timeMs: 60_000 / bpm, feedback: 0.35, wet: 0.3, dry: 1, lowpassHz: 6000 };
}

export function applyDelay(
  input: Float32Array,
  sampleRate: number,
  params: DelayParams,
  tailSeconds = 0,
): Float32Array {
  const d = Math.max(1, Math.round((params.timeMs / 1000) * sampleRate));
  const line = new Float64Array(d);
  let i = 0;
  const a = Math.exp((-2 * Math.PI * params.lowpassHz) / sampleRate);
  let z = 0;
  const n = input.length + Math.round(tailSeconds * sampleRate);
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    const x = t < input.length ? input[t]! : 0;
    const delayed = line[i]!;
    z = (1 - a) * delayed + a * z;
    line[i] = x + z * params.feedback;
    if (++i === d) i = 0;
    out[t] = params.dry * x + params.wet * z;
  }
  return out;
}
