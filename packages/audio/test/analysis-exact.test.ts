/**
 * The fast analysis paths give the same numbers as the plain loops they replaced (kept here as
 * the reference): true peak bit for bit, loudness within float rounding.
 */
import { describe, expect, it } from "vitest";
import { truePeak } from "../src/index.ts";

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
