import { z } from "zod";

/**
 * Effects a tone may add after its amp and cab, by name. Known presets only (the renderer has a
 * fixed implementation of each), plus `gain:<dB>` with dB in [-24, 24].
 * packages/audio may export the authoritative schema later; this one mirrors the design.
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

export const GAIN_DB_LIMIT = 24;

const GAIN_PATTERN = /^gain:([+-]?\d{1,2}(?:\.\d{1,2})?)$/;

export type Effect = (typeof EFFECT_PRESETS)[number] | `gain:${string}`;

const isPreset = (v: string): v is (typeof EFFECT_PRESETS)[number] =>
  (EFFECT_PRESETS as readonly string[]).includes(v);

// One check with one message per mistake (a union would report every branch's complaint).
export const effectSchema = z
  .string()
  .max(32)
  .superRefine((value, ctx) => {
    if (isPreset(value)) return;
    const gain = GAIN_PATTERN.exec(value);
    if (!gain) {
      ctx.addIssue({
        code: "custom",
        message: `unknown effect "${value}"; use one of ${EFFECT_PRESETS.join(", ")} or gain:<dB>`,
      });
    } else if (Math.abs(Number(gain[1])) > GAIN_DB_LIMIT) {
      ctx.addIssue({
        code: "custom",
        message: `gain must be between -${GAIN_DB_LIMIT} and ${GAIN_DB_LIMIT} dB`,
      });
    }
  })
  .transform((value) => value as Effect);
