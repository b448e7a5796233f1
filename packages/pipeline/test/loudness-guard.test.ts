import { integratedLoudness, truePeakDb } from "@shootout/audio";
import { describe, expect, it } from "vitest";
import { guardLoudness, limitPeaksInPlace } from "../src/index.ts";

const SR = 48_000;

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

/** A quiet tone with sparse loud clicks: its loudness target pushes the clicks far over 0 dBTP. */
function spiky(seconds = 3): Float32Array {
  const x = new Float32Array(seconds * SR);
  for (let i = 0; i < x.length; i++) x[i] = 0.05 * Math.sin((2 * Math.PI * 220 * i) / SR);
  for (let i = 1000; i < x.length; i += 9_600)
    for (let k = 0; k < 24; k++) x[i + k] = 0.9 * Math.sin((Math.PI * k) / 24);
  return x;
}

describe("loudness match with the true-peak guard", () => {
  it("hits the target and keeps the true peak at or under -1 dBTP by limiting, not by turning the tone down", () => {
    const { samples, stats } = guardLoudness(spiky(), SR, -14);
    expect(stats.limiterDb).toBeGreaterThan(3);
    expect(stats.peakLimited).toBe(false);
    expect(truePeakDb(samples)).toBeLessThanOrEqual(-1);
    expect(Math.abs(integratedLoudness(samples, SR) - -14)).toBeLessThan(0.3);
  });

  it("leaves a tone with headroom alone apart from the gain", () => {
    const x = new Float32Array(2 * SR).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / SR));
    const { samples, stats } = guardLoudness(x, SR, -23);
    expect(stats.limiterDb).toBe(0);
    expect(stats.gainDb).toBeCloseTo(-23 - integratedLoudness(x, SR), 6);
    expect(samples[1234]! / x[1234]!).toBeCloseTo(10 ** (stats.gainDb / 20), 5);
  });

  it("without a target only limits", () => {
    const x = spiky().map((v) => v * 2);
    const { samples, stats } = guardLoudness(x, SR, null);
    expect(stats.gainDb).toBe(0);
    expect(truePeakDb(samples)).toBeLessThanOrEqual(-1);
  });

  it("limitPeaksInPlace never lets a sample past the ceiling and does not touch quiet stretches far from peaks", () => {
    const x = spiky().map((v) => v * 3);
    const samples = x.slice();
    const { maxReductionDb } = limitPeaksInPlace(samples, 0.5, SR);
    expect(maxReductionDb).toBeGreaterThan(0);
    expect(maxAbs(samples)).toBeLessThanOrEqual(0.5 + 1e-6);
    // Before the first click, beyond the look-ahead (1.5 ms hold + 1.5 ms ramp): untouched.
    for (const i of [10, 500, 850]) expect(samples[i]).toBe(x[i]);
    // Right on a click: pulled down to the ceiling.
    expect(Math.abs(samples[1012]!)).toBeLessThanOrEqual(0.5 + 1e-6);
  });
});
