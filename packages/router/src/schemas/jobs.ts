import { JOB_STATUSES } from "@shootout/jobs";
import { z } from "zod";
import { isoDateTime, pageInput, pageOutput } from "./common.ts";

export const jobStatus = z.enum(JOB_STATUSES);

export const jobIdInput = z.object({ jobId: z.uuid() });
export const jobsCreateInput = z.object({ shootoutId: z.uuid() });
export const jobsListInput = pageInput.extend({
  shootoutId: z.uuid().optional(),
  status: jobStatus.optional(),
});

export const jobOutput = z.object({
  id: z.uuid(),
  shootoutId: z.uuid(),
  status: jobStatus,
  progress: z.number().int().min(0).max(100),
  message: z.string(),
  error: z.string().nullable(),
  /** What the worker produced (output file ids and the like); null until completed. */
  result: z.json().nullable(),
  attempts: z.number().int().min(0),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  queuedAt: isoDateTime.nullable(),
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  cancelRequestedAt: isoDateTime.nullable(),
});
export type JobOutput = z.infer<typeof jobOutput>;

export const jobsListOutput = pageOutput(jobOutput);
