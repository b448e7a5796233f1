export type { PipelineInput, RenderPipeline, ShootoutForRender } from "@shootout/jobs";
export { RenderError } from "@shootout/jobs";
export { removeJobOutputs } from "./job-outputs.ts";
export { placeholderPipeline } from "./placeholder-pipeline.ts";
export { RenderStopped, type StopReason } from "./render-stopped.ts";
export { type RunningWorker, type StartWorkerOptions, startWorker } from "./start-worker.ts";
