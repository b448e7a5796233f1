import { z } from "zod";
import { AudioError } from "../errors.ts";
import { Biquad, highPass, highShelf, lowPass } from "./biquad.ts";
import { applyDelay, DEFAULT_BPM, type DelayPreset, delayPresetParams } from "./delay.ts";
import { applyGainDb } from "./gain.ts";
import { applyReverb, type ReverbPreset } from "./reverb.ts";

/**
 * Effects as the product stores them, one string each:
 *   eq:highpass_80hz     2nd-order Butterworth high-pass, 80 Hz (RBJ, Q = 1/sqrt 2)
 *   eq:lowpass_12k       2nd-order Butterworth low-pass, 12 kHz (RBJ, Q = 1/sqrt 2)
 *   eq:highshelf_presence RBJ high shelf, +3 dB above 3.5 kHz, slope S = 1
 *   reverb:room|hall|spring   see reverb.ts
 *   delay:slapback|quarter    see delay.ts (quarter = one beat at the shootout's BPM)
 *   gain:<dB>            -60 .. +24 dB, e.g. "gain:-3" or "gain:+1.5"
 */
export const EQ_PRESETS = {
  highpass_80hz: { type: "highpass", freq: 80, q: Math.SQRT1_2 },
  lowpass_12k: { type: "lowpass", freq: 12_000, q: Math.SQRT1_2 },
  highshelf_presence: { type: "highshelf", freq: 3_500, gainDb: 3, slope: 1 },
} as const;

export type EqPreset = keyof typeof EQ_PRESETS;

export type Effect =
  | { kind: "eq"; preset: EqPreset }
  | { kind: "reverb"; preset: ReverbPreset }
  | { kind: "delay"; preset: DelayPreset }
  | { kind: "gain"; db: number };

const GAIN_RE = /^gain:([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;

function parse(spec: string): Effect | string {
  const [kind, arg] = spec.split(":", 2) as [string, string | undefined];
  if (arg === undefined || spec.split(":").length !== 2) return `effect "${spec}" must look like kind:value`;
  switch (kind) {
    case "eq":
      return arg in EQ_PRESETS ? { kind: "eq", preset: arg as EqPreset } : `unknown EQ "${arg}"`;
    case "reverb":
      return arg === "room" || arg === "hall" || arg === "spring"
        ? { kind: "reverb", preset: arg }
        : `unknown reverb "${arg}"`;
    case "delay":
      return arg === "slapback" || arg === "quarter"
        ? { kind: "delay", preset: arg }
        : `unknown delay "${arg}"`;
    case "gain": {
      const m = GAIN_RE.exec(spec);
      if (!m) return `gain "${arg}" is not a number of dB`;
      const db = Number(m[1]);
      return db >= -60 && db <= 24 ? { kind: "gain", db } : `gain ${db} dB is outside -60..+24`;
    }
    default:
      return `unknown effect kind "${kind}"`;
  }
}

/** Validates one stored effect string (for the router); `.transform` gives the parsed Effect. */
export const effectSpecSchema = z.string().superRefine((s, ctx) => {
  const r = parse(s);
  if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
});

export const parsedEffectSchema = effectSpecSchema.transform((s) => parse(s) as Effect);

export function parseEffectSpec(spec: string): Effect {
  const r = parse(spec);
  if (typeof r === "string") throw new AudioError("INVALID_EFFECT", r);
  return r;
}

export function formatEffect(e: Effect): string {
  return e.kind === "gain" ? `gain:${e.db}` : `${e.kind}:${e.preset}`;
}

export interface ApplyEffectsOptions {
  /** Tempo for `delay:quarter` (default 120). */
  bpm?: number;
  /** Let reverb/delay ring out this long past the end (default 0: same length as the input). */
  tailSeconds?: number;
}

/** Apply effects in order. Returns a new array (EQ and gain work on a copy). */
export function applyEffects(
  samples: Float32Array,
  sampleRate: number,
  effects: readonly (Effect | string)[],
  options: ApplyEffectsOptions = {},
): Float32Array {
  let x: Float32Array = samples.slice();
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
