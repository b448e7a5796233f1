import { applyGainDb, integratedLoudness, truePeakDb } from "@shootout/audio";
import { limitPeaksInPlace } from "./peak-limiter.ts";

/** A tone's true peak is held at or under this (EBU R 128's ceiling for distribution). */
export const TRUE_PEAK_CEILING_DB = -1;
/** The limiter aims this far under the ceiling in sample peaks; inter-sample overs use the rest. */
const LIMITER_MARGIN_DB = 0.5;

export interface ChainStats {
  /** Integrated loudness before the match, LUFS (null: silence). */
  lufsBefore: number | null;
  /** Gain applied by the loudness match (after any correction for the limiter), dB. */
  gainDb: number;
  /** Deepest gain reduction the peak limiter applied, dB (0: it did nothing). */
  limiterDb: number;
  /** The limiter was not enough and the whole tone was turned down to the ceiling (it is under the target). */
  peakLimited: boolean;
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Loudness match with a clipping guard. With a target: gain to the target; if the true peak then
 * passes -1 dBTP, a look-ahead limiter takes the peaks down (loudness barely moves), the loudness
 * is measured again and the gain corrected, limited again (up to four rounds). Without a target: only the
 * limiter. Should a true peak still pass the ceiling, the whole tone is turned down to it and
 * `peakLimited` says so.
 */
export function guardLoudness(
  input: Float32Array,
  sampleRate: number,
  targetLufs: number | null,
  options: { inPlace?: boolean } = {},
): { samples: Float32Array; stats: ChainStats } {
  const ceiling = 10 ** ((TRUE_PEAK_CEILING_DB - LIMITER_MARGIN_DB) / 20);
  const before = integratedLoudness(input, sampleRate);
  const x = options.inPlace ? input : input.slice();
  let gainDb = 0;
  let limiterDb = 0;
  // True peak is the dearest measurement here: keep the last one while `x` has not changed.
  let knownPeak: number | null = null;
  const limit = () => {
    const peak = truePeakDb(x);
    if (peak <= TRUE_PEAK_CEILING_DB) {
      knownPeak = peak;
      return;
    }
    limiterDb = Math.max(limiterDb, limitPeaksInPlace(x, ceiling, sampleRate).maxReductionDb);
    knownPeak = null;
  };
  if (targetLufs !== null && Number.isFinite(before)) {
    gainDb = targetLufs - before;
    applyGainDb(x, gainDb);
    limit();
    // The limiter takes a little loudness with the peaks: put it back and catch the new peaks,
    // a few rounds at most (guitar converges in one or two).
    for (let round = 0; round < 4 && limiterDb > 0; round++) {
      const after = integratedLoudness(x, sampleRate);
      if (!Number.isFinite(after) || Math.abs(targetLufs - after) < 0.05) break;
      applyGainDb(x, targetLufs - after);
      gainDb += targetLufs - after;
      limit();
    }
  } else {
    limit();
  }
  let peakLimited = false;
  const peak = knownPeak ?? truePeakDb(x);
  if (peak > TRUE_PEAK_CEILING_DB) {
    applyGainDb(x, TRUE_PEAK_CEILING_DB - peak);
    gainDb += TRUE_PEAK_CEILING_DB - peak;
    peakLimited = true;
  }
  return { samples: x, stats: { lufsBefore: finiteOrNull(before), gainDb, limiterDb, peakLimited } };
}
