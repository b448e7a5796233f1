import { describe, expect, it } from "vitest";
import {
  integratedLoudness,
  matchLoudness,
  measure,
  samplePeak,
  spectrumPng,
  trimSilence,
  truePeakDb,
  waveformPng,
} from "../src/index.ts";

const SR = 48_000;

function sine(freq: number, dbfs: number, seconds: number, rate = SR): Float32Array {
  const a = 10 ** (dbfs / 20);
  return new Float32Array(Math.round(seconds * rate)).map(
    (_, i) => a * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("integrated loudness, EBU Tech 3341 cases", () => {
  it("case 1: stereo 1 kHz sine at -23 dBFS reads -23 LUFS", () => {
    const s = sine(1000, -23, 20);
    expect(integratedLoudness([s, s], SR)).toBeCloseTo(-23, 1);
  });

  it("case 1 mono (dual mono) and 44.1 kHz", () => {
    expect(integratedLoudness(sine(1000, -23, 20), SR)).toBeCloseTo(-23, 1);
    expect(integratedLoudness(sine(1000, -23, 20, 44_100), 44_100)).toBeCloseTo(-23, 1);
    // Single channel without the dual-mono convention is 3 LU lower.
    expect(integratedLoudness(sine(1000, -23, 20), SR, { dualMono: false })).toBeCloseTo(-26.01, 1);
  });

  it("case 2: -33 dBFS reads -33 LUFS", () => {
    const s = sine(1000, -33, 20);
    expect(integratedLoudness([s, s], SR)).toBeCloseTo(-33, 1);
  });

  it("case 3: -36/-23/-36 dBFS (10/60/10 s) reads -23 LUFS (relative gate)", () => {
    const s = concat(sine(1000, -36, 10), sine(1000, -23, 60), sine(1000, -36, 10));
    const lufs = integratedLoudness([s, s], SR);
    expect(Math.abs(lufs - -23)).toBeLessThanOrEqual(0.1);
  });

  it("case 4: -72/-36/-23/-36/-72 dBFS reads -23 LUFS (absolute + relative gates)", () => {
    const s = concat(
      sine(1000, -72, 10),
      sine(1000, -36, 10),
      sine(1000, -23, 60),
      sine(1000, -36, 10),
      sine(1000, -72, 10),
    );
    expect(Math.abs(integratedLoudness([s, s], SR) - -23)).toBeLessThanOrEqual(0.1);
  });

  it("gates silence and sub -70 LUFS signals to -Infinity, and short input too", () => {
    expect(integratedLoudness(new Float32Array(SR * 5), SR)).toBe(Number.NEGATIVE_INFINITY);
    expect(integratedLoudness(sine(1000, -80, 5), SR)).toBe(Number.NEGATIVE_INFINITY);
    expect(integratedLoudness(sine(1000, -23, 0.3), SR)).toBe(Number.NEGATIVE_INFINITY);
    // Silence around a tone is gated out (ungated it would read -27.8); only the few blocks that
    // straddle the edges pull it down slightly.
    const padded = concat(new Float32Array(SR * 10), sine(1000, -23, 10), new Float32Array(SR * 10));
    expect(Math.abs(integratedLoudness(padded, SR) - -23)).toBeLessThan(0.2);
  });

  it("K-weighting: a 100 Hz tone reads lower than 1 kHz at the same level, 10 kHz higher", () => {
    const l100 = integratedLoudness(sine(100, -23, 10), SR);
    const l10k = integratedLoudness(sine(10_000, -23, 10), SR);
    expect(l100).toBeLessThan(-23.5);
    expect(l10k).toBeGreaterThan(-23 + 3);
  });
});

describe("loudness matching", () => {
  it("brings a signal to the target", () => {
    const s = sine(440, -30, 5);
    const r = matchLoudness(s, SR, -18);
    expect(r.gainDb).toBeCloseTo(r.lufsAfter - r.lufsBefore, 6);
    expect(integratedLoudness(r.samples, SR)).toBeCloseTo(-18, 1);
    expect(r.peakLimited).toBe(false);
  });

  it("respects a true-peak ceiling", () => {
    const r = matchLoudness(sine(440, -10, 5), SR, 0, { maxTruePeakDb: -1 });
    expect(r.peakLimited).toBe(true);
    expect(truePeakDb(r.samples)).toBeLessThanOrEqual(-0.99);
  });

  it("leaves silence alone", () => {
    const r = matchLoudness(new Float32Array(SR), SR, -18);
    expect(r.gainDb).toBe(0);
  });
});

describe("peaks and metrics", () => {
  it("true peak finds the inter-sample peak the samples miss", () => {
    // fs/4 sine at 45 degrees: samples at ±0.707, the waveform reaches 1.
    const x = new Float32Array(4800).map((_, i) => Math.sin((Math.PI / 2) * i + Math.PI / 4));
    expect(20 * Math.log10(samplePeak(x))).toBeCloseTo(-3.01, 1);
    expect(Math.abs(truePeakDb(x))).toBeLessThan(0.2);
  });

  it("measure() on a sine", () => {
    const m = measure(sine(1000, -6, 5), SR);
    expect(m.peakDb).toBeCloseTo(-6, 2);
    expect(m.rmsDb).toBeCloseTo(-6 - 3.0103, 2);
    expect(m.crestFactorDb).toBeCloseTo(3.0103, 2);
    expect(m.truePeakDb).toBeCloseTo(-6, 1);
    expect(m.lufs).toBeCloseTo(-6, 1);
    expect(m.spectralCentroidHz).toBeGreaterThan(950);
    expect(m.spectralCentroidHz).toBeLessThan(1050);
    expect(m.bandRatios.mid).toBeGreaterThan(0.99);
    expect(m.durationSeconds).toBe(5);
  });

  it("band ratios split bass / mid / treble", () => {
    const treble = sine(5000, -6, 5);
    const mix = sine(100, -6, 5).map((v, i) => v + treble[i]!);
    const m = measure(mix, SR);
    expect(m.bandRatios.bass).toBeCloseTo(0.5, 2);
    expect(m.bandRatios.treble).toBeCloseTo(0.5, 2);
    expect(m.bandRatios.mid).toBeLessThan(0.01);
    expect(m.bandRatios.bass + m.bandRatios.mid + m.bandRatios.treble).toBeCloseTo(1, 9);
    expect(m.spectralCentroidHz).toBeGreaterThan(2000);
  });

  it("silence yields no NaN", () => {
    const m = measure(new Float32Array(SR), SR);
    expect(m.rmsDb).toBe(Number.NEGATIVE_INFINITY);
    expect(m.crestFactorDb).toBe(0);
    expect(m.spectralCentroidHz).toBe(0);
    expect(Object.values(m.bandRatios)).toEqual([0, 0, 0]);
  });
});

describe("silence trim", () => {
  it("cuts below -50 dBFS at both ends, keeps a faded margin", () => {
    const tone = sine(440, -20, 1);
    const x = concat(new Float32Array(SR), sine(440, -70, 0.5), tone, new Float32Array(SR));
    const r = trimSilence(x, SR);
    const toneStart = SR + SR / 2;
    const firstLoud = toneStart + tone.findIndex((v) => Math.abs(v) >= 10 ** (-50 / 20));
    expect(r.start).toBe(firstLoud - 480); // 10 ms kept before
    expect(r.end).toBeLessThanOrEqual(toneStart + tone.length + 2400);
    expect(r.end).toBeGreaterThan(toneStart + tone.length);
    expect(r.samples.length).toBe(r.end - r.start);
    expect(Math.abs(r.samples[0]!)).toBe(0); // faded in
    expect(r.silent).toBe(false);
  });

  it("reports all-silent input", () => {
    expect(trimSilence(new Float32Array(1000), SR)).toMatchObject({ silent: true, start: 0, end: 0 });
  });
});

describe("PNG pictures", () => {
  it("draws a waveform and a spectrum as decodable PNGs", async () => {
    const { decode } = await import("fast-png");
    const x = sine(1000, -6, 1);
    const w = decode(waveformPng(x, { width: 200, height: 50 }));
    expect([w.width, w.height, w.channels]).toEqual([200, 50, 3]);
    const s = decode(spectrumPng(x, SR, { width: 300, height: 100 }));
    expect([s.width, s.height]).toEqual([300, 100]);
    // The spectrum's highest point (smallest y of the trace) is at the 1 kHz column.
    const fx = Math.round(
      ((Math.log10(1000) - Math.log10(20)) / (Math.log10(20_000) - Math.log10(20))) * 299,
    );
    const topRow = (col: number) => {
      for (let y = 0; y < 100; y++) {
        const i = (y * 300 + col) * 3;
        if (s.data[i] === 30 && s.data[i + 1] === 70) return y;
      }
      return 100;
    };
    expect(topRow(fx)).toBeLessThanOrEqual(15);
    expect(topRow(20)).toBeGreaterThan(50);
  });
});
