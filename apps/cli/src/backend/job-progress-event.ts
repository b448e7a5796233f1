import { jobStatus } from "@shootout/router";
import { isTrackedEnvelope } from "@trpc/server";
import { z } from "zod";

/** One jobs.onProgress / jobs.onMine event, checked at the edge like every other input. */
export const jobProgressEvent = z.object({
  jobId: z.uuid(),
  seq: z.number().int().min(0),
  status: jobStatus,
  progress: z.number().int().min(0).max(100),
  message: z.string(),
  at: z.string(),
});
export type JobProgressEvent = z.infer<typeof jobProgressEvent>;

const trackedData = z.object({ id: z.string(), data: z.unknown() });

/**
 * The event inside what a subscription yields: in-process, a `tracked()` envelope (a tuple);
 * through a tRPC client, `{ id, data }`; an untracked event as it is.
 */
export function toJobProgressEvent(raw: unknown): JobProgressEvent {
  if (isTrackedEnvelope(raw)) return jobProgressEvent.parse(raw[1]);
  const tracked = trackedData.safeParse(raw);
  return jobProgressEvent.parse(tracked.success ? tracked.data.data : raw);
}
