/**
 * Algorithmic reverbs, mono in / mono out, after Schroeder-Moorer / Freeverb: parallel feedback
 * combs with a one-pole lowpass in the loop ("damping") followed by series allpasses.
 * Delay lengths are Freeverb's tunings (given for 44.1 kHz) scaled to the sample rate and by
 * the preset's `size`. The spring adds a chain of dispersive allpasses for its "drip".
 *
 * Presets (all times at any sample rate):
 * | preset | size | feedback | damping | pre-delay | wet | dry | band | notes |
 * |---|---|---|---|---|---|---|---|---|
 * | room   | 0.55 | 0.78 | 0.45 | 8 ms  | 0.22 | 1 | 120 Hz .. 9 kHz | short, RT60 ~0.5 s |
 * | hall   | 1.25 | 0.88 | 0.30 | 25 ms | 0.30 | 1 | 100 Hz .. 8 kHz | long, RT60 ~2.3 s |
 * | spring | 0.45 | 0.84 | 0.55 | 0 ms  | 0.28 | 1 | 250 Hz .. 4.5 kHz | + 12 dispersive allpasses (g 0.6) |
 */

import type { ReverbPreset } from "./effect-spec.ts";

export type { ReverbPreset };

export interface ReverbParams {
  size: number;
  feedback: number;
  damping: number;
  preDelayMs: number;
  wet: number;
  dry: number;
  lowCutHz: number;
  highCutHz: number;
  dispersion: number;
}

export const REVERB_PRESETS: Record<ReverbPreset, ReverbParams> = {
  room: {
    size: 0.55,
    feedback: 0.78,
    damping: 0.45,
    preDelayMs: 8,
    wet: 0.22,
    dry: 1,
    lowCutHz: 120,
    highCutHz: 9000,
    dispersion: 0,
  },
  hall: {
    size: 1.25,
    feedback: 0.88,
    damping: 0.3,
    preDelayMs: 25,
    wet: 0.3,
    dry: 1,
    lowCutHz: 100,
    highCutHz: 8000,
    dispersion: 0,
  },
  spring: {
    size: 0.45,
    feedback: 0.84,
    damping: 0.55,
    preDelayMs: 0,
    wet: 0.28,
    dry: 1,
    lowCutHz: 250,
    highCutHz: 4500,
    dispersion: 12,
  },
};

const COMB_TUNING_44K = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASS_TUNING_44K = [556, 441, 341, 225];

class Comb {
  private readonly buf: Float64Array;
  private readonly feedback: number;
  private readonly damp: number;
  private i = 0;
  private store = 0;
  constructor(length: number, feedback: number, damp: number) {
    this.buf = new Float64Array(length);
    this.feedback = feedback;
    this.damp = damp;
  }
  tick(x: number): number {
    const y = this.buf[this.i]!;
    this.store = y * (1 - this.damp) + this.store * this.damp;
    this.buf[this.i] = x + this.store * this.feedback;
    if (++this.i === this.buf.length) this.i = 0;
    return y;
  }
}

class Allpass {
  private readonly buf: Float64Array;
  private readonly g: number;
  private i = 0;
  constructor(length: number, g: number) {
    this.buf = new Float64Array(Math.max(1, length));
    this.g = g;
  }
  tick(x: number): number {
    const b = this.buf[this.i]!;
    const y = -this.g * x + b;
    this.buf[this.i] = x + this.g * y;
    if (++this.i === this.buf.length) this.i = 0;
    return y;
  }
}

/** One-pole filters for the wet band limits. */
class OnePole {
  private z = 0;
  private readonly a: number;
  private readonly highpass: boolean;
  constructor(freq: number, sampleRate: number, highpass: boolean) {
    this.a = Math.exp((-2 * Math.PI * freq) / sampleRate);
    this.highpass = highpass;
  }
  tick(x: number): number {
    this.z = (1 - this.a) * x + this.a * this.z;
    return this.highpass ? x - this.z : this.z;
  }
}

/** Apply a reverb preset; the output has the input's length (tail cut) unless `tailSeconds` > 0. */
export function applyReverb(
  input: Float32Array,
  sampleRate: number,
  preset: ReverbPreset | ReverbParams,
  tailSeconds = 0,
): Float32Array {
  const p = typeof preset === "string" ? REVERB_PRESETS[preset] : preset;
  const scale = (sampleRate / 44100) * p.size;
  const combs = COMB_TUNING_44K.map(
    (n) => new Comb(Math.max(1, Math.round(n * scale)), p.feedback, p.damping),
  );
  const allpasses = ALLPASS_TUNING_44K.map((n) => new Allpass(Math.round(n * scale), 0.5));
  const disperse = Array.from(
    { length: p.dispersion },
    (_, i) => new Allpass(Math.round((sampleRate / 1000) * (0.7 + 0.13 * i)), 0.6),
  );
  const pre = new Float64Array(Math.max(1, Math.round((p.preDelayMs / 1000) * sampleRate)));
  let preI = 0;
  const lo = new OnePole(p.lowCutHz, sampleRate, true);
  const hi = new OnePole(p.highCutHz, sampleRate, false);
  const n = input.length + Math.round(tailSeconds * sampleRate);
  const out = new Float32Array(n);
  const inGain = 0.015; // Freeverb's fixed input gain: keeps the comb sum near unity
  for (let t = 0; t < n; t++) {
    const x = t < input.length ? input[t]! : 0;
    let d = x;
    if (p.preDelayMs > 0) {
      d = pre[preI]!;
      pre[preI] = x;
      if (++preI === pre.length) preI = 0;
    }
    let s = hi.tick(lo.tick(d)) * inGain;
    for (const a of disperse) s = a.tick(s);
    let acc = 0;
    for (const c of combs) acc += c.tick(s);
    for (const a of allpasses) acc = a.tick(acc);
    out[t] = p.dry * x + p.wet * acc * 4;
  }
  return out;
}
