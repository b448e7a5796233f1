import type { RenderPipeline } from "@shootout/jobs";

/**
 * PLACEHOLDER until the real render pipeline lands: walks the steps that exist today (the
 * shootout and its tones are loaded by the worker), reports per-tone progress and produces an
 * empty result. It renders no audio.
 */
export const placeholderPipeline: RenderPipeline = async ({ shootout, progress, signal, log }) => {
  const total = shootout.tones.length;
  for (const [index, tone] of shootout.tones.entries()) {
    signal.throwIfAborted();
    progress(
      Math.round((index / Math.max(1, total)) * 100),
      `Tone ${index + 1}/${total}: ${tone.displayName}`,
    );
  }
  log.warn("placeholder pipeline: no audio was rendered");
  return { placeholder: true, tones: [], outputs: [] };
};
