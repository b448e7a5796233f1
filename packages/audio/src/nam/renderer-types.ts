export interface NamRendererOptions {
  /** Use NAM's fast tanh approximation (as the NAM plugin does). Default false: exact tanh. */
  fastTanh?: boolean;
  /** "auto" picks WebAssembly SIMD when available. "js" forces the pure TypeScript path. */
  backend?: "auto" | "wasm" | "js";
  /**
   * Model size 0..1 for a slimmable model (SlimmableContainer / A2, slimmable WaveNet), as NAM
   * Core's SetSlimmableSize: 1 (default) is full size, 0 the smallest. Ignored by other models.
   */
  slim?: number;
  /** Render an A1-shaped WaveNet with the general pure-TS WaveNet instead of the A1 one (tests). */
  general?: boolean;
}

/**
 * A streaming NAM model: state carries across `process` calls, memory is fixed whatever the input
 * length, and any split of the input into calls gives exactly the same output as one call.
 */
export interface NamRenderer {
  readonly backend: "js" | "wasm";
  readonly sampleRate: number;
  /** Zero samples fed (and discarded) by `reset()` so the model starts as after endless silence. */
  readonly prewarmSamples: number;
  /** Bytes of state and weights this renderer holds (fixed for its life). */
  readonly memoryBytes: number;
  /** Render `input` into `output[0 .. input.length)`. `output` may be `input` (in place). */
  process(input: Float32Array, output: Float32Array): void;
  /** Forget all state and prewarm again. Called once on creation. */
  reset(): void;
}
