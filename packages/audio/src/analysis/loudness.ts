import type { BiquadCoefficients } from "../dsp/biquad.ts";
import { applyGainDb } from "../dsp/gain.ts";
import { AudioError } from "../errors.ts";
import { truePeakDb } from "./peak.ts";

/**
 * Integrated loudness per ITU-R BS.1770-4:
 * - K-weighting: the standard's pre-filter (high shelf, +4 dB above ~1.7 kHz) and RLB high-pass
 *   (~38 Hz), derived for any sample rate from their analog prototypes (identical to the
 *   tabulated 48 kHz coefficients);
 * - mean square over 400 ms blocks with 75 % overlap (100 ms hop);
 * - absolute gate at -70 LUFS, then a relative gate 10 LU below the mean of the surviving blocks;
 * - L = -0.691 + 10 log10(sum of channel weights x mean squares).
 * Channel weights are 1 (L, R, C). A mono signal is measured as dual mono (played on both
 * speakers, weight 2), the EBU R 128 / Tech 3341 convention, so a -23 dBFS 1 kHz sine reads
 * -23 LUFS in mono and in stereo. Pass `{ dualMono: false }` for the single-channel value (-3 LU).
 */

function kWeighting(sampleRate: number): [BiquadCoefficients, BiquadCoefficients] {
  // Stage 1: high shelf.
  const f0 = 1681.974450955533;
  const G = 3.999843853973347;
  const Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / sampleRate);
  const Vh = 10 ** (G / 20);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const shelf: BiquadCoefficients = {
    b0: (Vh + (Vb * K) / Q + K * K) / a0,
    b1: (2 * (K * K - Vh)) / a0,
    b2: (Vh - (Vb * K) / Q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  // Stage 2: RLB high-pass.
  const f1 = 38.13547087602444;
  const Q1 = 0.5003270373238773;
  K = Math.tan((Math.PI * f1) / sampleRate);
  a0 = 1 + K / Q1 + K * K;
  const hp: BiquadCoefficients = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q1 + K * K) / a0,
  };
  return [shelf, hp];
}

export interface LoudnessOptions {
  /** Measure a single channel as dual mono (default true). */
  dualMono?: boolean;
}

/**
 * Sum of squares of the K-weighted signal per 100 ms hop. Both biquads run in one pass with no
 * intermediate array; each stage's output is rounded to float32 as it was when the stages ran
 * one after the other through Float32Array buffers, so the sums are the same numbers.
 */
function kWeightedHopSums(ch: Float32Array, hop: number, shelf: BiquadCoefficients, hp: BiquadCoefficients) {
  const hops = Math.floor(ch.length / hop);
  const hopSum = new Float64Array(hops);
  const { b0: s0, b1: s1, b2: s2, a1: sa1, a2: sa2 } = shelf;
  const { b0: h0, b1: h1, b2: h2, a1: ha1, a2: ha2 } = hp;
  let sx1 = 0;
  let sx2 = 0;
  let sy1 = 0;
  let sy2 = 0;
  let hx1 = 0;
  let hx2 = 0;
  let hy1 = 0;
  let hy2 = 0;
  for (let h = 0, i = 0; h < hops; h++) {
    let sum = 0;
    for (const end = i + hop; i < end; i++) {
      const x = ch[i]!;
      const ys = s0 * x + s1 * sx1 + s2 * sx2 - sa1 * sy1 - sa2 * sy2;
      sx2 = sx1;
      sx1 = x;
      sy2 = sy1;
      sy1 = ys;
      const v = Math.fround(ys);
      const yh = h0 * v + h1 * hx1 + h2 * hx2 - ha1 * hy1 - ha2 * hy2;
      hx2 = hx1;
      hx1 = v;
      hy2 = hy1;
      hy1 = yh;
      const k = Math.fround(yh);
      sum += k * k;
    }
    hopSum[h] = sum;
  }
  return hopSum;
}

/** Mean square of each 400 ms block (100 ms hop), K-weighted and summed over channels with weights. */
function blockPowers(channels: Float32Array[], sampleRate: number, dualMono: boolean): Float64Array {
  const n = channels[0]!.length;
  const hop = Math.round(sampleRate * 0.1);
  const block = 4 * hop;
  const blocks = n < block ? 0 : Math.floor((n - block) / hop) + 1;
  const powers = new Float64Array(blocks);
  const weight = channels.length === 1 && dualMono ? 2 : 1;
  const [shelf, hp] = kWeighting(sampleRate);
  for (const ch of channels) {
    // Sum of squares per 100 ms hop, then 4 consecutive hops form a block.
    const hopSum = kWeightedHopSums(ch, hop, shelf, hp);
    for (let b = 0; b < blocks; b++) {
      powers[b]! += (weight * (hopSum[b]! + hopSum[b + 1]! + hopSum[b + 2]! + hopSum[b + 3]!)) / block;
    }
  }
  return powers;
}

const toLufs = (power: number) => -0.691 + 10 * Math.log10(power);

/** Integrated loudness in LUFS; -Infinity when everything is gated out (silence, < 400 ms). */
export function integratedLoudness(
  input: Float32Array | Float32Array[],
  sampleRate: number,
  options: LoudnessOptions = {},
): number {
  const channels = Array.isArray(input) ? input : [input];
  if (channels.length === 0) throw new AudioError("INVALID_ARGUMENT", "no channels");
  const powers = blockPowers(channels, sampleRate, options.dualMono ?? true);
  const abs = Array.from(powers).filter((p) => toLufs(p) > -70);
  if (abs.length === 0) return Number.NEGATIVE_INFINITY;
  const relGate = toLufs(abs.reduce((a, b) => a + b, 0) / abs.length) - 10;
  const rel = abs.filter((p) => toLufs(p) > relGate);
  if (rel.length === 0) return Number.NEGATIVE_INFINITY;
  return toLufs(rel.reduce((a, b) => a + b, 0) / rel.length);
}

export interface LoudnessMatchResult {
  samples: Float32Array;
  /** Gain applied, dB. */
  gainDb: number;
  lufsBefore: number;
  lufsAfter: number;
  /** The gain was reduced to keep the true peak at or under `maxTruePeakDb`. */
  peakLimited: boolean;
}

/**
 * Scale a (mono) signal to `targetLufs`. With `maxTruePeakDb`, the gain is lowered if it would push
 * the true peak above that ceiling (no limiter: the result is then quieter than the target).
 * A signal with no measurable loudness is returned unchanged (gain 0).
 */
export function matchLoudness(
  samples: Float32Array,
  sampleRate: number,
  targetLufs: number,
  options: LoudnessOptions & { maxTruePeakDb?: number } = {},
): LoudnessMatchResult {
  const before = integratedLoudness(samples, sampleRate, options);
  if (!Number.isFinite(before)) {
    return { samples: samples.slice(), gainDb: 0, lufsBefore: before, lufsAfter: before, peakLimited: false };
  }
  let gainDb = targetLufs - before;
  let peakLimited = false;
  if (options.maxTruePeakDb !== undefined) {
    const tp = truePeakDb(samples);
    if (tp + gainDb > options.maxTruePeakDb) {
      gainDb = options.maxTruePeakDb - tp;
      peakLimited = true;
    }
  }
  const out = applyGainDb(samples.slice(), gainDb);
  return { samples: out, gainDb, lufsBefore: before, lufsAfter: before + gainDb, peakLimited };
}
