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

export const gainEffect = z
  .string()
  .regex(GAIN_PATTERN, "gain must look like gain:<dB>, e.g. gain:-3 or gain:+1.5")
  .refine(
    (v) => Math.abs(Number(GAIN_PATTERN.exec(v)?.[1])) <= GAIN_DB_LIMIT,
    `gain must be between -${GAIN_DB_LIMIT} and ${GAIN_DB_LIMIT} dB`,
  );

export const effectSchema = z.union([z.enum(EFFECT_PRESETS), gainEffect], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? `unknown effect; use one of ${EFFECT_PRESETS.join(", ")} or gain:<dB>`
      : undefined,
});
export type Effect = z.infer<typeof effectSchema>;
