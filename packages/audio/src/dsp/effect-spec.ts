import { z } from "zod";
import { AudioError } from "../errors.ts";

/**
 * Effects as the product stores them, one string each; the one vocabulary the router validates
 * and the renderer applies (no DSP here, so the router can import it cheaply):
 *   eq:highpass_80hz     2nd-order Butterworth high-pass, 80 Hz (RBJ, Q = 1/sqrt 2)
 *   eq:lowpass_12k       2nd-order Butterworth low-pass, 12 kHz (RBJ, Q = 1/sqrt 2)
 *   eq:highshelf_presence RBJ high shelf, +3 dB above 3.5 kHz, slope S = 1
 *   reverb:room|hall|spring   see reverb.ts
 *   delay:slapback|quarter    see delay.ts (quarter = one beat at the shootout's BPM)
 *   gain:<dB>            -24 .. +24 dB, e.g. "gain:-3" or "gain:+1.5"
 */
export const EFFECT_PRESETS = [
  "eq:highpass_80hz",
  "eq:lowpass_12k",
  "eq:highshelf_presence",
  "reverb:room",
  "reverb:hall",
  "reverb:spring",
  "delay:slapback",
  "delay:quarter",
] as const;

export type EffectPreset = (typeof EFFECT_PRESETS)[number];

/** A stored effect string. */
export type EffectSpec = EffectPreset | `gain:${string}`;

/** `gain:<dB>` takes -GAIN_DB_LIMIT .. +GAIN_DB_LIMIT. */
export const GAIN_DB_LIMIT = 24;

export type EqPreset = "highpass_80hz" | "lowpass_12k" | "highshelf_presence";
export type ReverbPreset = "room" | "hall" | "spring";
export type DelayPreset = "slapback" | "quarter";

export type Effect =
  | { kind: "eq"; preset: EqPreset }
  | { kind: "reverb"; preset: ReverbPreset }
  | { kind: "delay"; preset: DelayPreset }
  | { kind: "gain"; db: number };

const GAIN_RE = /^gain:([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;

const isPreset = (spec: string): spec is EffectPreset => (EFFECT_PRESETS as readonly string[]).includes(spec);

/** The effect a string stands for, or why it stands for none (a message for the user). */
export function parseEffect(spec: string): Effect | string {
  if (isPreset(spec)) {
    const [kind, preset] = spec.split(":") as [string, string];
    return { kind, preset } as Effect;
  }
  const gain = GAIN_RE.exec(spec);
  if (!gain) return `unknown effect "${spec}"; use one of ${EFFECT_PRESETS.join(", ")} or gain:<dB>`;
  const db = Number(gain[1]);
  if (!(Math.abs(db) <= GAIN_DB_LIMIT))
    return `gain must be between -${GAIN_DB_LIMIT} and ${GAIN_DB_LIMIT} dB`;
  return { kind: "gain", db };
}

/** One stored effect string, checked (one message per mistake). */
export const effectSpecSchema = z
  .string()
  .max(32)
  .superRefine((spec, ctx) => {
    const r = parseEffect(spec);
    if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
  })
  .transform((spec) => spec as EffectSpec);

export const parsedEffectSchema = effectSpecSchema.transform((spec) => parseEffect(spec) as Effect);

export function parseEffectSpec(spec: string): Effect {
  const r = parseEffect(spec);
  if (typeof r === "string") throw new AudioError("INVALID_EFFECT", r);
  return r;
}

export function formatEffect(e: Effect): EffectSpec {
  return e.kind === "gain" ? `gain:${e.db}` : (`${e.kind}:${e.preset}` as EffectSpec);
}
