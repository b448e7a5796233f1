export {
  ACTIVE_STATUSES,
  deadLetterQueueOptions,
  FINAL_STATUSES,
  JOB_CANCEL_CHANNEL,
  JOB_EVENTS_CHANNEL,
  JOB_STATUSES,
  type JobEventNotice,
  type JobStatus,
  jobEventNotice,
  RENDER_DEAD_LETTER_QUEUE,
  RENDER_HEARTBEAT_REFRESH_SECONDS,
  RENDER_HEARTBEAT_SECONDS,
  RENDER_POLL_SECONDS,
  RENDER_QUEUE,
  RENDER_RETRY_DELAY_SECONDS,
  RENDER_SUPERVISE_SECONDS,
  type RenderJobPayload,
  renderJobPayload,
  renderQueueOptions,
  STORAGE_SWEEP_CRON,
  STORAGE_SWEEP_QUEUE,
  storageSweepQueueOptions,
} from "./definitions.ts";
export { JobError } from "./errors.ts";
export {
  createJobEventHub,
  type HubListener,
  type HubMessage,
  type HubTopic,
  type JobEventHub,
} from "./event-hub.ts";
export { appendJobEvent, type JobEventInput, listJobEvents } from "./events.ts";
export { cancelJob, createJob, deleteJob, type JobRow, retryJob } from "./lifecycle.ts";
export {
  type ListenOptions,
  listenForNotifications,
  type NotificationListener,
} from "./notification-listener.ts";
export { type PipelineInput, RenderError, type RenderPipeline, type ShootoutForRender } from "./pipeline.ts";
export { createJobQueue, ensureQueues, type JobQueue } from "./queue.ts";
export {
  markStalledRenders,
  STALLED_RENDER_MESSAGE,
  type StalledRenderWatch,
  watchStalledRenders,
} from "./stalled-renders.ts";
