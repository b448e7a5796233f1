import { z } from "zod";
import { isoDateTime, pageInput, pageOutput } from "./common.ts";

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

/** What apps/api knows after storing an upload's bytes; validated again before the insert. */
export const recordUploadedFileInput = z.object({
  ownerId: z.uuid(),
  kind: uploadKind,
  name: z.string().trim().min(1).max(255),
  mime: z.string().min(1).max(255),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  storageKey: z.string().min(1).max(1024),
  durationMs: z.number().int().min(0).nullish(),
  sampleRate: z.number().int().min(1).nullish(),
  channels: z.number().int().min(1).max(32).nullish(),
});
export type RecordUploadedFileInput = z.input<typeof recordUploadedFileInput>;
