import type { RenderPipeline } from "@shootout/jobs";
import { placeholderPipeline } from "@shootout/worker";

/**
 * The pipeline an in-process worker runs: whatever apps/worker's own process runs. Today that is
 * its placeholder (no audio); when the real pipeline lands, this is the one line to change.
 */
export const renderPipeline: RenderPipeline = placeholderPipeline;
