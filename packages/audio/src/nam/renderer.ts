import { AudioError } from "../errors.ts";
import { createLstmJsRenderer } from "./lstm-js.ts";
import type { NamModel } from "./model.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";
import { assemble, wasmRelaxedSimdSupported, wasmSimdSupported } from "./wasm/compile.ts";
import { instantiateLstmWasm, type LstmWasmPlan, planLstmWasm } from "./wasm/lstm-wasm.ts";
import { instantiateWaveNetWasm, planWaveNetWasm, type WaveNetWasmPlan } from "./wasm/wavenet-wasm.ts";
import type { WasmModule } from "./wasm/webassembly.ts";
import { createWaveNetJsRenderer } from "./wavenet-js.ts";

export type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";

/** Whether this runtime can use the WebAssembly SIMD kernels. */
export const namWasmAvailable = wasmSimdSupported;

/** The pure-TypeScript renderer, synchronously (reference implementation and fallback). */
export function createJsNamRenderer(model: NamModel, options: NamRendererOptions = {}): NamRenderer {
  return model.architecture === "WaveNet"
    ? createWaveNetJsRenderer(model, options)
    : createLstmJsRenderer(model, options);
}

type Compiled =
  | { kind: "WaveNet"; plan: WaveNetWasmPlan; module: WasmModule }
  | { kind: "LSTM"; plan: LstmWasmPlan; module: WasmModule };

// One compiled kernel per model object and tanh flavour; renderers share it.
const compiled = new WeakMap<NamModel, Map<boolean, Promise<Compiled>>>();

function compileModel(model: NamModel, fastTanh: boolean): Promise<Compiled> {
  let byMode = compiled.get(model);
  if (!byMode) {
    byMode = new Map();
    compiled.set(model, byMode);
  }
  let p = byMode.get(fastTanh);
  if (!p) {
    const relaxed = wasmRelaxedSimdSupported;
    if (model.architecture === "WaveNet") {
      const plan = planWaveNetWasm(model, { fastTanh, relaxed });
      p = assemble(plan.wat).then((module) => ({ kind: "WaveNet", plan, module }));
    } else {
      const plan = planLstmWasm(model, { fastTanh, relaxed });
      p = assemble(plan.wat).then((module) => ({ kind: "LSTM", plan, module }));
    }
    byMode.set(fastTanh, p);
  }
  return p;
}

/**
 * A streaming renderer for a model: a WebAssembly SIMD kernel generated for the model (backend
 * "auto" or "wasm"), or the pure-TS implementation ("js", or where WebAssembly SIMD is missing).
 */
export async function createNamRenderer(
  model: NamModel,
  options: NamRendererOptions = {},
): Promise<NamRenderer> {
  const backend = options.backend ?? "auto";
  if (backend === "wasm" && !wasmSimdSupported) {
    throw new AudioError("INVALID_ARGUMENT", "this runtime has no WebAssembly SIMD");
  }
  if (backend !== "js" && wasmSimdSupported) {
    const c = await compileModel(model, options.fastTanh ?? false);
    if (c.kind === "WaveNet" && model.architecture === "WaveNet") return instantiateWaveNetWasm(model, c);
    if (c.kind === "LSTM" && model.architecture === "LSTM") return instantiateLstmWasm(model, c);
  }
  return createJsNamRenderer(model, options);
}

export interface RenderNamOptions extends NamRendererOptions {
  /** Samples per chunk (default 16384, ~0.34 s at 48 kHz: abort is seen within one chunk). */
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
  const chunk = Math.max(1, Math.floor(options.chunkSize ?? 16_384));
  const check = () => {
    if (options.signal?.aborted) {
      throw new AudioError("ABORTED", "NAM render aborted", { cause: options.signal.reason });
    }
  };
  check();
  const renderer = options.renderer ?? (await createNamRenderer(model, options));
  if (options.renderer) renderer.reset();
  const out = new Float32Array(samples.length);
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
