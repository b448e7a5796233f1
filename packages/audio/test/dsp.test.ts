import { describe, expect, it } from "vitest";
import {
  AudioError,
  applyDelay,
  applyEffects,
  applyReverb,
  Biquad,
  biquadMagnitude,
  convolve,
  delayPresetParams,
  effectSpecSchema,
  highPass,
  highShelf,
  lowPass,
  PartitionedConvolver,
  parseEffectSpec,
} from "../src/index.ts";
import { testSignal } from "./helpers/fixtures.ts";

const SR = 48_000;
const db = (x: number) => 20 * Math.log10(x);

/** Steady-state gain of a filter at `freq`, measured by running a sine through it. */
function measuredGainDb(filter: Biquad, freq: number): number {
  const n = SR;
  const x = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * freq * i) / SR));
  const y = filter.process(x, new Float32Array(n));
  let s = 0;
  let c = 0;
  for (let i = n / 2; i < n; i++) {
    s += y[i]! * Math.sin((2 * Math.PI * freq * i) / SR);
    c += y[i]! * Math.cos((2 * Math.PI * freq * i) / SR);
  }
  return db((2 * Math.hypot(s, c)) / (n / 2));
}

describe("RBJ biquads", () => {
  it.each([
    [
      "high-pass 80 Hz",
      highPass(80, SR),
      [
        [80, -3.01],
        [40, -12.3],
        [20, -24.1],
        [1000, 0],
        [10_000, 0],
      ],
    ],
    [
      "low-pass 12 kHz",
      lowPass(12_000, SR),
      [
        [12_000, -3.01],
        [1000, 0],
        [100, 0],
        [20_000, -22.9],
      ],
    ],
    [
      "high shelf +3 dB @ 3.5 kHz",
      highShelf(3500, SR, 3),
      [
        [100, 0],
        [3500, 1.5],
        [15_000, 2.9],
      ],
    ],
  ] as const)("%s", (_name, coeffs, points) => {
    for (const [f, want] of points) {
      expect(db(biquadMagnitude(coeffs, f, SR))).toBeCloseTo(want, 0);
      expect(measuredGainDb(new Biquad(coeffs), f)).toBeCloseTo(db(biquadMagnitude(coeffs, f, SR)), 2);
    }
    // Exact corner values where the cookbook defines them.
    if (_name.startsWith("high-pass")) expect(db(biquadMagnitude(coeffs, 80, SR))).toBeCloseTo(-3.0103, 3);
  });

  it("streams: two halves equal one pass", () => {
    const x = testSignal(1001, SR);
    const one = new Biquad(highPass(80, SR)).process(x, new Float32Array(x.length));
    const f = new Biquad(highPass(80, SR));
    const two = new Float32Array(x.length);
    f.process(x.subarray(0, 333), two.subarray(0, 333));
    f.process(x.subarray(333), two.subarray(333));
    expect(Array.from(two)).toEqual(Array.from(one));
  });
});

function directConvolution(x: Float32Array, h: Float32Array): Float64Array {
  const y = new Float64Array(x.length + h.length - 1);
  for (let i = 0; i < x.length; i++) for (let k = 0; k < h.length; k++) y[i + k]! += x[i]! * h[k]!;
  return y;
}

describe("partitioned FFT convolution", () => {
  it.each([1, 7, 128, 1000, 4800])("equals direct convolution for a %i-tap IR", (taps) => {
    const x = testSignal(6000, SR, 11);
    const h = testSignal(taps, SR, 12).map((v, i) => v * Math.exp(-i / 800));
    const want = directConvolution(x, h);
    for (const blockSize of [64, 512]) {
      const got = convolve(x, h, { tail: true, blockSize });
      expect(got.length).toBe(want.length);
      let max = 0;
      let peak = 0;
      for (let i = 0; i < want.length; i++) {
        max = Math.max(max, Math.abs(got[i]! - want[i]!));
        peak = Math.max(peak, Math.abs(want[i]!));
      }
      expect(max).toBeLessThan(1e-5 * Math.max(1, peak));
    }
    expect(convolve(x, h).length).toBe(x.length);
    // In place: the same samples, written over the input.
    const copy = x.slice();
    const inPlace = convolve(copy, h, { inPlace: true });
    expect(inPlace).toBe(copy);
    expect(inPlace).toEqual(convolve(x, h));
  });

  it("streams with any chunk sizes and a fixed latency of one block", () => {
    const x = testSignal(5000, SR, 2);
    const h = testSignal(700, SR, 3);
    const whole = new Float32Array(x.length);
    new PartitionedConvolver(h, 256).process(x, whole);
    const conv = new PartitionedConvolver(h, 256);
    const parts = new Float32Array(x.length);
    let off = 0;
    for (const size of [1, 17, 255, 256, 257, 1000, 3214]) {
      conv.process(x.subarray(off, off + size), parts.subarray(off, off + size));
      off += size;
    }
    expect(off).toBe(x.length);
    expect(Array.from(parts)).toEqual(Array.from(whole));
    const direct = directConvolution(x, h);
    expect(whole[256 + 100]).toBeCloseTo(direct[100]!, 5);
    expect(Array.from(whole.subarray(0, 256)).every((v) => v === 0)).toBe(true);
  });

  it("rejects an empty or non-finite IR", () => {
    expect(() => new PartitionedConvolver(new Float32Array(0))).toThrow(AudioError);
    expect(() => new PartitionedConvolver(Float32Array.from([1, Number.NaN]))).toThrow(AudioError);
  });
});

describe("delay and reverb presets", () => {
  it("slapback echoes once at 110 ms; quarter repeats every beat", () => {
    const x = new Float32Array(SR * 2);
    x[0] = 1;
    const slap = applyDelay(x, SR, delayPresetParams("slapback"));
    const at = Math.round(0.11 * SR);
    expect(slap[0]).toBe(1);
    expect(Math.max(...slap.subarray(1, at))).toBe(0);
    expect(Math.max(...slap.subarray(at, at + 200))).toBeGreaterThan(0.05);
    const q = applyDelay(x, SR, delayPresetParams("quarter", 100)); // 600 ms per beat
    const beat = Math.round(0.6 * SR);
    expect(Math.max(...q.subarray(1, beat))).toBe(0);
    const e1 = Math.max(...q.subarray(beat, beat + 400));
    const e2 = Math.max(...q.subarray(2 * beat, 2 * beat + 400));
    expect(e1).toBeGreaterThan(0.02);
    expect(e2).toBeGreaterThan(0);
    expect(e2).toBeLessThan(e1); // feedback < 1: repeats decay
    expect(() => delayPresetParams("quarter", 0)).toThrow();
  });

  it("reverbs ring out, the hall longer than the room, and stay finite", () => {
    const x = new Float32Array(SR / 10).map((_, i) => Math.sin(i / 5) * (1 - i / (SR / 10)));
    const energyAfter = (y: Float32Array, from: number) => {
      let s = 0;
      for (let i = from; i < y.length; i++) s += y[i]! * y[i]!;
      return s;
    };
    const room = applyReverb(x, SR, "room", 3);
    const hall = applyReverb(x, SR, "hall", 3);
    const spring = applyReverb(x, SR, "spring", 3);
    for (const y of [room, hall, spring]) {
      expect(y.length).toBe(x.length + 3 * SR);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(energyAfter(y, x.length)).toBeGreaterThan(0);
    }
    // 1 s after the end, the hall has far more energy left than the room.
    expect(energyAfter(hall, x.length + SR)).toBeGreaterThan(10 * energyAfter(room, x.length + SR));
    expect(applyReverb(x, SR, "room").length).toBe(x.length);
  });
});

describe("effect specs", () => {
  it("parses the stored strings", () => {
    expect(parseEffectSpec("eq:highpass_80hz")).toEqual({ kind: "eq", preset: "highpass_80hz" });
    expect(parseEffectSpec("eq:lowpass_12k")).toEqual({ kind: "eq", preset: "lowpass_12k" });
    expect(parseEffectSpec("eq:highshelf_presence")).toEqual({ kind: "eq", preset: "highshelf_presence" });
    expect(parseEffectSpec("reverb:spring")).toEqual({ kind: "reverb", preset: "spring" });
    expect(parseEffectSpec("delay:quarter")).toEqual({ kind: "delay", preset: "quarter" });
    expect(parseEffectSpec("gain:-3.5")).toEqual({ kind: "gain", db: -3.5 });
    expect(parseEffectSpec("gain:+2")).toEqual({ kind: "gain", db: 2 });
  });

  it.each([
    "eq:bandpass",
    "reverb:plate",
    "delay:",
    "gain:loud",
    "gain:30",
    "gain:-30",
    "gain:-24.01",
    "gain:-3dB",
    "fuzz:big",
    "eq",
    "gain:1:2",
    "",
  ])("rejects %j", (spec) => {
    expect(() => parseEffectSpec(spec)).toThrow(AudioError);
    expect(effectSpecSchema.safeParse(spec).success).toBe(false);
  });

  it("takes gain up to ±24 dB, the same range the router accepts", () => {
    expect(parseEffectSpec("gain:-24")).toEqual({ kind: "gain", db: -24 });
    expect(parseEffectSpec("gain:+24")).toEqual({ kind: "gain", db: 24 });
    expect(() => parseEffectSpec("gain:-60")).toThrow(/between -24 and 24 dB/);
  });

  it("applies effects in order (gain, EQ)", () => {
    const x = new Float32Array(SR).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR));
    const y = applyEffects(x, SR, ["gain:-6.0206", "eq:highpass_80hz"]);
    expect(y).not.toBe(x);
    let peak = 0;
    for (let i = SR / 2; i < SR; i++) peak = Math.max(peak, Math.abs(y[i]!));
    expect(peak).toBeCloseTo(0.25, 3);
    const lows = new Float32Array(SR).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 20 * i) / SR));
    const hp = applyEffects(lows, SR, ["eq:highpass_80hz"]);
    let p2 = 0;
    for (let i = SR / 2; i < SR; i++) p2 = Math.max(p2, Math.abs(hp[i]!));
    expect(db(p2 / 0.5)).toBeLessThan(-20);
  });
});
