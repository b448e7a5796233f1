export {
  ACTIVE_STATUSES,
  deadLetterQueueOptions,
  FINAL_STATUSES,
  JOB_EVENTS_CHANNEL,
  JOB_STATUSES,
  type JobEventNotice,
  type JobStatus,
  jobEventNotice,
  RENDER_DEAD_LETTER_QUEUE,
  RENDER_QUEUE,
  type RenderJobPayload,
  renderJobPayload,
  renderQueueOptions,
} from "./definitions.ts";
export { JobError } from "./errors.ts";
export { appendJobEvent, type JobEventInput, listJobEvents } from "./events.ts";
export { cancelJob, createJob, deleteJob, type JobRow, retryJob } from "./lifecycle.ts";
export { createJobQueue, ensureQueues, type JobQueue } from "./queue.ts";
