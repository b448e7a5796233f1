/**
 * The fast analysis paths give the same numbers as the plain loops they replaced (kept here as
 * the reference): true peak bit for bit, loudness within float rounding.
 */
import { describe, expect, it } from "vitest";
import { Biquad, integratedLoudness, truePeak } from "../src/index.ts";

/** The original 4x true-peak loop: 16 taps per phase, bounds checked, summed in tap order. */
function referenceTruePeak(samples: Float32Array): number {
  const PHASES = 4;
  const T = 16;
  const besselI0 = (x: number) => {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 50; k++) {
      term *= (x / (2 * k)) ** 2;
      sum += term;
      if (term < 1e-12 * sum) break;
    }
    return sum;
  };
  const N = PHASES * T;
  const center = (N - 1) / 2;
  const h = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const t = (n - center) / PHASES;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (n - center) / center;
    h[n] = sinc * (besselI0(8 * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(8));
  }
  const phases = Array.from({ length: PHASES }, (_, p) => {
    const ph = new Float64Array(T);
    let sum = 0;
    for (let k = 0; k < T; k++) {
      ph[k] = h[k * PHASES + p]!;
      sum += ph[k]!;
    }
    for (let k = 0; k < T; k++) ph[k]! /= sum;
    return ph;
  });
  let m = 0;
  for (const v of samples) if (Math.abs(v) > m) m = Math.abs(v);
  const n = samples.length;
  for (let i = 0; i + 1 < n + T; i++) {
    for (const ph of phases) {
      let s = 0;
      for (let k = 0; k < T; k++) {
        const j = i - k;
        if (j >= 0 && j < n) s += ph[k]! * samples[j]!;
      }
      if (Math.abs(s) > m) m = Math.abs(s);
    }
  }
  return m;
}

/** Deterministic noise with a slowly varying level, a few loud bursts and quiet stretches. */
function noise(length: number, seed = 1): Float32Array {
  let state = seed;
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const level = 0.05 + 0.4 * Math.abs(Math.sin(i / 3_000)) + (i % 7_919 < 40 ? 0.5 : 0);
    x[i] = level * (state / 2 ** 32 - 0.5) * 2;
  }
  return x;
}

describe("true peak", () => {
  it("equals the reference loop bit for bit, at every length around the filter and block sizes", () => {
    for (const length of [0, 1, 2, 15, 16, 17, 31, 511, 512, 513, 527, 1_024, 5_000]) {
      const x = noise(length, length + 7);
      expect(truePeak(x), `length ${length}`).toBe(referenceTruePeak(x));
    }
  });

  it("equals the reference on music-like signals where the loudest block is not the true peak's", () => {
    const x = noise(48_000 * 2, 3);
    expect(truePeak(x)).toBe(referenceTruePeak(x));
    // fs/4 at 45 degrees: every sample at 0.707, the waveform at 1, next to a single louder sample.
    const y = new Float32Array(20_000).map((_, i) => 0.8 * Math.sin((Math.PI / 2) * i + Math.PI / 4));
    y[3_000] = 0.9;
    expect(truePeak(y)).toBe(referenceTruePeak(y));
    expect(truePeak(y)).toBeGreaterThan(0.9);
  });

  it("skips NaN like the reference and keeps silence at zero", () => {
    const x = noise(3_000, 5);
    x[1_500] = Number.NaN;
    expect(truePeak(x)).toBe(referenceTruePeak(x));
    expect(truePeak(new Float32Array(4_000))).toBe(0);
  });
});

/** The original loudness: the two K-weighting biquads one after the other through Float32Arrays. */
function referenceLoudness(x: Float32Array, sampleRate: number): number {
  let K = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  const Q = 0.7071752369554196;
  const Vh = 10 ** (3.999843853973347 / 20);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const shelf = {
    b0: (Vh + (Vb * K) / Q + K * K) / a0,
    b1: (2 * (K * K - Vh)) / a0,
    b2: (Vh - (Vb * K) / Q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  const Q1 = 0.5003270373238773;
  K = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  a0 = 1 + K / Q1 + K * K;
  const hp = { b0: 1, b1: -2, b2: 1, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / Q1 + K * K) / a0 };
  const n = x.length;
  const hop = Math.round(sampleRate * 0.1);
  const block = 4 * hop;
  const blocks = n < block ? 0 : Math.floor((n - block) / hop) + 1;
  const k = new Biquad(hp).process(new Biquad(shelf).process(x, new Float32Array(n)));
  const hopSum = new Float64Array(Math.floor(n / hop));
  for (let h = 0; h < hopSum.length; h++) {
    let s = 0;
    for (let i = h * hop; i < (h + 1) * hop; i++) s += k[i]! * k[i]!;
    hopSum[h] = s;
  }
  const powers: number[] = [];
  for (let b = 0; b < blocks; b++) {
    powers.push((2 * (hopSum[b]! + hopSum[b + 1]! + hopSum[b + 2]! + hopSum[b + 3]!)) / block);
  }
  const toLufs = (p: number) => -0.691 + 10 * Math.log10(p);
  const abs = powers.filter((p) => toLufs(p) > -70);
  if (abs.length === 0) return Number.NEGATIVE_INFINITY;
  const relGate = toLufs(abs.reduce((a, b) => a + b, 0) / abs.length) - 10;
  const rel = abs.filter((p) => toLufs(p) > relGate);
  if (rel.length === 0) return Number.NEGATIVE_INFINITY;
  return toLufs(rel.reduce((a, b) => a + b, 0) / rel.length);
}

describe("integrated loudness", () => {
  it("equals the two-pass reference exactly (mono as dual mono, 48 and 44.1 kHz)", () => {
    const x = noise(48_000 * 5 + 123, 11);
    expect(integratedLoudness(x, 48_000)).toBe(referenceLoudness(x, 48_000));
    expect(integratedLoudness(x, 44_100)).toBe(referenceLoudness(x, 44_100));
    const quiet = x.map((v, i) => (i < 100_000 ? v * 1e-4 : v));
    expect(integratedLoudness(quiet, 48_000)).toBe(referenceLoudness(quiet, 48_000));
  });
});
