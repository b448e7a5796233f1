import { cabinetInput, shootoutCreateInput, toneSelectionFields } from "@shootout/router";
import { z } from "zod";

/** A path to an audio file on this machine, relative to the config file (or absolute). */
const filePath = z.string().trim().min(1, "must be a file path").max(4096);

/**
 * One tone in a config file: the router's tone selection fields with a file path where the
 * router takes an uploaded IR's id: `cabinet: {"source": "file", "path": …}` (or the older `ir`)
 * beside the router's own Tone 3000 cabinet. Derived, not restated, so a field added to the
 * router's schema is accepted here too. An amp, a cabinet or both, as the router asks.
 */
export const fileToneSchema = toneSelectionFields
  .omit({ irFileId: true, cabinet: true })
  .extend({
    ir: filePath.nullish().transform((v) => v ?? null),
    cabinet: z
      .discriminatedUnion("source", [
        cabinetInput.options[0],
        z.object({ source: z.literal("file"), path: filePath }).strict(),
      ])
      .nullish()
      .transform((v) => v ?? null),
  })
  .strict()
  .superRefine((tone, ctx) => {
    if (tone.ir && tone.cabinet) {
      ctx.addIssue({
        code: "custom",
        path: ["cabinet"],
        message: 'give the cabinet as "cabinet" or as "ir", not both',
      });
    }
    const amp = tone.amp || tone.tone3000ModelId !== undefined || tone.tone3000ToneId !== undefined;
    if (!amp && !tone.cabinet && !tone.ir) {
      ctx.addIssue({ code: "custom", path: ["amp"], message: "a tone needs an amp, a cabinet, or both" });
    }
  });

/** The local IR file a config tone names (`cabinet.path` or the older `ir`), or null. */
export function toneIrPath(tone: { ir?: string | null; cabinet?: { source: string; path?: string } | null }) {
  return tone.ir ?? (tone.cabinet?.source === "file" ? (tone.cabinet.path ?? null) : null);
}

type FileTone = z.output<typeof fileToneSchema>;

/**
 * The router's checks on its tones array (at least / at most so many), for ours: they look at the
 * array's length, never at an element, so they hold for an array of file tones just the same.
 */
const toneArrayChecks = (shootoutCreateInput.shape.tones._zod.def.checks ??
  []) as unknown as z.core.$ZodCheck<FileTone[]>[];

/**
 * `shootout run`'s config file: the router's own `shootoutCreateInput` with `di` (a path) in place of
 * `diFileId` and each tone's `ir` in place of `irFileId`. The tones array keeps the router's checks
 * (how many tones) by reusing them. Unknown keys are refused: a typo must not be silently dropped.
 */
export const fileConfigSchema = shootoutCreateInput
  .omit({ diFileId: true, tones: true })
  .extend({
    /** Editors may point at a JSON schema; ignored. */
    $schema: z.string().optional(),
    di: filePath,
    tones: z.array(fileToneSchema).check(...toneArrayChecks),
  })
  .strict();

export type FileConfig = z.output<typeof fileConfigSchema>;
export type FileConfigInput = z.input<typeof fileConfigSchema>;
