import { AudioError } from "../errors.ts";
import { createLstmJsRenderer } from "./lstm-js.ts";
import type { NamModel } from "./model.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";
import { createWaveNetJsRenderer } from "./wavenet-js.ts";

export type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";

export function createNamRenderer(model: NamModel, options: NamRendererOptions = {}): NamRenderer {
  switch (model.architecture) {
    case "WaveNet":
      return createWaveNetJsRenderer(model, options);
    case "LSTM":
      return createLstmJsRenderer(model, options);
  }
}

export interface RenderNamOptions extends NamRendererOptions {
  /** Samples per chunk (default 48000: 1 s at 48 kHz). */
  chunkSize?: number;
  /** Called after each chunk with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
  /** Checked between chunks; an aborted signal stops the render with AudioError ABORTED. */
  signal?: AbortSignal;
  /** Reuse a renderer (it is reset first). */
  renderer?: NamRenderer;
}

/**
 * Render a whole signal through a model in chunks, yielding to the event loop between chunks so
 * that an AbortSignal fired elsewhere (the worker's cancel) is seen within one chunk.
 */
export async function renderNam(
  model: NamModel,
  samples: Float32Array,
  options: RenderNamOptions = {},
): Promise<Float32Array> {
  const chunk = Math.max(1, Math.floor(options.chunkSize ?? 48_000));
  const renderer = options.renderer ?? createNamRenderer(model, options);
  if (options.renderer) renderer.reset();
  const out = new Float32Array(samples.length);
  const check = () => {
    if (options.signal?.aborted) {
      throw new AudioError("ABORTED", "NAM render aborted", { cause: options.signal.reason });
    }
  };
  check();
  for (let off = 0; off < samples.length; off += chunk) {
    const end = Math.min(samples.length, off + chunk);
    renderer.process(samples.subarray(off, end), out.subarray(off, end));
    options.onProgress?.(end / samples.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
    check();
  }
  if (samples.length === 0) options.onProgress?.(1);
  return out;
}
