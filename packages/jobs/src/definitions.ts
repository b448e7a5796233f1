import type { Queue } from "pg-boss";
import { z } from "zod";

/**
 * Queue names, payloads and options shared by the API (which sends) and the worker (which works):
 * one place, so the two can never disagree.
 */
export const RENDER_QUEUE = "shootout-render";
export const RENDER_DEAD_LETTER_QUEUE = "shootout-render-dead";

/** The queue message carries only the job id; everything else is read from the jobs row. */
export const renderJobPayload = z.object({ jobId: z.uuid() });
export type RenderJobPayload = z.infer<typeof renderJobPayload>;

/**
 * How fast a render whose worker died (SIGKILL, OOM, a lost machine) is taken over, end to end:
 * its last heartbeat is at most RENDER_HEARTBEAT_REFRESH_SECONDS old when it dies, the job is
 * failed over once the heartbeat is RENDER_HEARTBEAT_SECONDS old, seen by the next supervision
 * pass (RENDER_SUPERVISE_SECONDS), queued again after the retry delay and fetched on the next poll
 * (RENDER_POLL_SECONDS): about 8-13 s from the death to another worker's start.
 */
export const RENDER_HEARTBEAT_SECONDS = 10; // pg-boss's minimum
export const RENDER_HEARTBEAT_REFRESH_SECONDS = 2;
export const RENDER_SUPERVISE_SECONDS = 1;
export const RENDER_RETRY_DELAY_SECONDS = 0;
export const RENDER_POLL_SECONDS = 1;

export const renderQueueOptions: Omit<Queue, "name"> = {
  // A render whose worker died is tried again, twice, as soon as it is found dead (its death took
  // the heartbeat's 10 s already). A render failing on an internal error is tried again at once.
  retryLimit: 2,
  retryDelay: RENDER_RETRY_DELAY_SECONDS,
  retryBackoff: false,
  // Sized to the longest render we accept (12 tones x a long DI, plus video) with room to spare.
  expireInSeconds: 60 * 60,
  // A worker SIGKILLed mid-render stops heartbeating; after this the job is failed over for a retry.
  // A live worker cut off from the database for longer than this loses its claim the same way.
  heartbeatSeconds: RENDER_HEARTBEAT_SECONDS,
  deadLetter: RENDER_DEAD_LETTER_QUEUE,
  // Wake workers through LISTEN/NOTIFY the moment a job is sent (pg-boss otherwise polls every 2 s).
  notify: true,
  retentionSeconds: 7 * 24 * 60 * 60,
};

export const deadLetterQueueOptions: Omit<Queue, "name"> = {
  retentionSeconds: 14 * 24 * 60 * 60,
  notify: true,
};

/**
 * Removes stored bytes nothing refers to any more (deleted files and outputs, uploads whose row
 * was never written, puts a dead process left half done). pg-boss's cron sends one every hour,
 * whichever instance's clock gets there first; `singleton` keeps two from running at once.
 */
export const STORAGE_SWEEP_QUEUE = "shootout-storage-sweep";
export const STORAGE_SWEEP_CRON = "41 * * * *";
export const storageSweepQueueOptions: Omit<Queue, "name"> = {
  policy: "singleton",
  // Sent jobs wake the worker (it polls only every 30 s for this queue).
  notify: true,
  // A failed sweep waits for the next hour: nothing is lost by skipping one.
  retryLimit: 0,
  expireInSeconds: 30 * 60,
  retentionSeconds: 24 * 60 * 60,
};

/** Channel of the job_events notifications; payload: {@link JobEventNotice} as JSON. */
export const JOB_EVENTS_CHANNEL = "shootout_job_events";

/**
 * Channel on which cancelJob tells workers to stop a running render; payload: the job id.
 * Apart from the events channel so a worker does not parse every progress event of every job.
 */
export const JOB_CANCEL_CHANNEL = "shootout_job_cancel";

export const JOB_STATUSES = ["pending", "queued", "running", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];
export const ACTIVE_STATUSES: readonly JobStatus[] = ["pending", "queued", "running"];

export const jobEventNotice = z.object({
  jobId: z.uuid(),
  ownerId: z.uuid(),
  seq: z.number().int().min(1),
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().min(0).max(100),
  message: z.string(),
  at: z.string(),
});
export type JobEventNotice = z.infer<typeof jobEventNotice>;
