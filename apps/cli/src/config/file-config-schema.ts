import { shootoutCreateInput, toneSelectionInput } from "@shootout/router";
import { z } from "zod";

/** A path to an audio file on this machine, relative to the config file (or absolute). */
const filePath = z.string().trim().min(1, "must be a file path").max(4096);

/**
 * One tone in a config file: the router's tone selection with `ir` (a path) in place of
 * `irFileId`. Derived, not restated, so a field added to the router's schema is accepted here too.
 */
export const fileToneSchema = toneSelectionInput
  .omit({ irFileId: true })
  .extend({
    ir: filePath.nullish().transform((v) => v ?? null),
  })
  .strict();

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
