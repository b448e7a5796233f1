import { AUDIO_LIMITS } from "@shootout/audio/limits";
import { z } from "zod";
import { INT4_MAX, isoDateTime, pageInput, pageOutput, storedText } from "./common.ts";

export const FILE_KINDS = ["di", "ir", "output"] as const;
export const fileKind = z.enum(FILE_KINDS);
/** What a user may upload; outputs are written by the worker. */
export const uploadKind = z.enum(["di", "ir"]);

export const fileIdInput = z.object({ fileId: z.uuid() });

export const filesListInput = pageInput.extend({ kind: fileKind.optional() });

export const fileOutput = z.object({
  id: z.uuid(),
  kind: fileKind,
  name: z.string(),
  mime: z.string(),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  /** The job that wrote it (outputs only). */
  jobId: z.uuid().nullable(),
  createdAt: isoDateTime,
});
export type FileOutput = z.infer<typeof fileOutput>;

export const filesListOutput = pageOutput(fileOutput);

/** An uploaded file's display name (the upload route's `name`): shown, never a path. */
export const uploadName = storedText({ min: 1, max: 255 });

/** What apps/api knows after storing an upload's bytes; validated again before the insert. */
export const recordUploadedFileInput = z.object({
  ownerId: z.uuid(),
  kind: uploadKind,
  name: uploadName,
  mime: storedText({ min: 1, max: 255 }),
  // Each of these lands in an `integer` column: a value past INT4_MAX would fail the insert.
  sizeBytes: z.number().int().min(0).max(INT4_MAX),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  storageKey: storedText({ min: 1, max: 1024 }),
  durationMs: z.number().int().min(0).max(INT4_MAX).nullish(),
  sampleRate: z.number().int().min(AUDIO_LIMITS.minSampleRate).max(AUDIO_LIMITS.maxSampleRate).nullish(),
  channels: z.number().int().min(1).max(AUDIO_LIMITS.maxChannels).nullish(),
});
export type RecordUploadedFileInput = z.input<typeof recordUploadedFileInput>;
