export { type BlindKey, blindKeyEntrySchema, blindKeySchema, blindLabel } from "./blind-order.ts";
export { encodeAudio } from "./encode-audio.ts";
export { endMsOf, type JoinedAudio, joinSegments, SEGMENT_GAP_MS, startMsOf } from "./join-segments.ts";
export { MAX_IR_SECONDS, normalizeIrEnergy } from "./load-ir.ts";
export {
  type ChainStats as LoudnessGuardStats,
  guardLoudness,
  TRUE_PEAK_CEILING_DB,
} from "./loudness-guard.ts";
export { describeModelFailure, modelDownloadError } from "./model-errors.ts";
export { limitPeaksInPlace } from "./peak-limiter.ts";
export { createRenderPool, type RenderPool, RenderThreadError } from "./render-pool.ts";
export {
  type OutputFile,
  outputFileSchema,
  type Segment,
  type ShootoutResult,
  segmentSchema,
  shootoutResultSchema,
  type ToneMetrics,
  toneMetricsSchema,
} from "./result-schema.ts";
export { ffmpegWorks } from "./run-ffmpeg.ts";
export {
  createShootoutPipeline,
  type ShootoutPipeline,
  type ShootoutPipelineOptions,
  type Tone3000ClientsFor,
} from "./shootout-pipeline.ts";
export {
  CHAIN_SAMPLE_RATE,
  type ChainStats,
  EDGE_FADE_MS,
  HIGHPASS_HZ,
  renderToneChain,
  type ToneChainSpec,
} from "./tone-chain.ts";
export { tone3000ClientsFromEnv } from "./tone3000-from-env.ts";
