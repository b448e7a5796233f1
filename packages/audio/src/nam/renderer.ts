import { AudioError } from "../errors.ts";
import { contentKey } from "./content-key.ts";
import { createGraphJsRenderer } from "./graph-js.ts";
import { createLstmJsRenderer } from "./lstm-js.ts";
import {
  type ConvNetModel,
  type LinearModel,
  type LstmModel,
  type NamModel,
  prewarmOf,
  type WaveNetModel,
} from "./model.ts";
import type { PlainWaveNet } from "./plain-wavenet.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";
import { slimNamModel } from "./slim.ts";
import { assemble, wasmRelaxedSimdSupported, wasmSimdSupported } from "./wasm/compile.ts";
import { planConvNetWasm } from "./wasm/convnet-wasm.ts";
import { generalWaveNetCovered, planGeneralWaveNetWasm } from "./wasm/general-wavenet-wasm.ts";
import { type HistoryKernelPlan, instantiateHistoryKernel } from "./wasm/history-kernel.ts";
import { planLinearWasm } from "./wasm/linear-wasm.ts";
import { instantiateLstmWasm, type LstmWasmPlan, planLstmWasm } from "./wasm/lstm-wasm.ts";
import { type CompiledWaveNet, instantiateWaveNetWasm, planWaveNetWasm } from "./wasm/wavenet-wasm.ts";
import type { WasmModule } from "./wasm/webassembly.ts";
import { createWaveNetJsRenderer } from "./wavenet-js.ts";

export type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";

/** Whether this runtime can use the WebAssembly SIMD kernels. */
export const namWasmAvailable = wasmSimdSupported;

/**
 * The pure-TypeScript renderer, synchronously (reference implementation and fallback), at the
 * size `options.slim` picks (full size by default). An A1-shaped WaveNet and an LSTM take their
 * specialised renderers; every other model the general one (graph-js.ts).
 */
export function createJsNamRenderer(model: NamModel, options: NamRendererOptions = {}): NamRenderer {
  const m = slimNamModel(model, options.slim ?? 1);
  if (m.architecture === "LSTM") return createLstmJsRenderer(m, options);
  if (m.architecture === "WaveNet" && m.plain && !options.general) {
    const p = m.plain;
    if (!p.conditionDsp && p.layerArrays.every((a) => a.headKernelSize === 1))
      return createWaveNetJsRenderer(p, options);
  }
  return createGraphJsRenderer(m, options);
}

/**
 * What has a WebAssembly SIMD kernel (after size selection): a plain (A1 / A2) WaveNet, any other
 * WaveNet the configurable-WaveNet kernel covers (all but a post-stack head, a non-WaveNet
 * condition DSP and frame-dependent PReLU slopes), an LSTM, a ConvNet (any lane-uniform
 * activation, so not PReLU) and a Linear.
 */
type WasmTarget =
  | { kind: "WaveNet"; model: PlainWaveNet }
  | { kind: "GeneralWaveNet"; model: WaveNetModel }
  | { kind: "LSTM"; model: LstmModel }
  | { kind: "ConvNet"; model: ConvNetModel }
  | { kind: "Linear"; model: LinearModel };

function wasmTarget(model: NamModel): WasmTarget | null {
  if (model.architecture === "LSTM") return { kind: "LSTM", model };
  if (model.architecture === "WaveNet" && model.plain) return { kind: "WaveNet", model: model.plain };
  if (model.architecture === "WaveNet" && generalWaveNetCovered(model))
    return { kind: "GeneralWaveNet", model };
  if (model.architecture === "ConvNet" && model.activation.kind !== "prelu")
    return { kind: "ConvNet", model };
  if (model.architecture === "Linear") return { kind: "Linear", model };
  return null;
}

type Compiled =
  | ({ kind: "WaveNet" } & CompiledWaveNet)
  | { kind: "LSTM"; plan: LstmWasmPlan; module: WasmModule; prewarmed?: Float32Array }
  | { kind: "History"; plan: HistoryKernelPlan; module: WasmModule };

// Compiled kernels (plan + module) by model content and tanh flavour: every renderer of a model,
// in any job or tone of this process, shares one, even when each job parsed its own copy of the
// file. Bounded; the least recently used goes first.
const compiled = new Map<string, Promise<Compiled>>();
const MAX_COMPILED = 32;
let planned = 0;

/** How many kernels this process has generated (for tests of the cache). */
export function plannedKernelCount(): number {
  return planned;
}

/** A WaveNet's kernel and, recursively, its condition DSP's (one module each). */
async function compileWaveNet(
  model: PlainWaveNet,
  fastTanh: boolean,
  relaxed: boolean,
): Promise<CompiledWaveNet> {
  const plan = planWaveNetWasm(model, { fastTanh, relaxed });
  const condition = model.conditionDsp ? compileWaveNet(model.conditionDsp, fastTanh, relaxed) : undefined;
  const module = await assemble(plan.wat);
  return { plan: { ...plan, wat: "" }, module, ...(condition ? { condition: await condition } : {}) };
}

/** A configurable WaveNet's kernel and, recursively, its condition DSP's (a WaveNet or an LSTM). */
async function compileGeneralWaveNet(
  model: WaveNetModel,
  fastTanh: boolean,
  relaxed: boolean,
): Promise<CompiledWaveNet> {
  const plan = planGeneralWaveNetWasm(model, { fastTanh, relaxed });
  const dsp = model.conditionDsp;
  let condition: Promise<CompiledWaveNet["condition"]> | undefined;
  if (dsp?.architecture === "WaveNet") condition = compileGeneralWaveNet(dsp, fastTanh, relaxed);
  else if (dsp?.architecture === "LSTM") {
    const lstm = planLstmWasm(dsp, { fastTanh, relaxed });
    condition = assemble(lstm.wat).then((module) => ({ kind: "LSTM", plan: { ...lstm, wat: "" }, module }));
  }
  const module = await assemble(plan.wat);
  return { plan: { ...plan, wat: "" }, module, ...(condition ? { condition: await condition } : {}) };
}

function compileModel(target: WasmTarget, fastTanh: boolean): Promise<Compiled> {
  const relaxed = wasmRelaxedSimdSupported;
  const key = `${target.kind}:${fastTanh}:${relaxed}:${contentKey(target.model)}`;
  let p = compiled.get(key);
  if (p) {
    compiled.delete(key);
  } else {
    planned++;
    // The text is dropped once assembled: the module is what is kept.
    if (target.kind === "WaveNet") {
      p = compileWaveNet(target.model, fastTanh, relaxed).then((c) => ({ kind: "WaveNet", ...c }));
    } else if (target.kind === "GeneralWaveNet") {
      p = compileGeneralWaveNet(target.model, fastTanh, relaxed).then((c) => ({ kind: "WaveNet", ...c }));
    } else if (target.kind === "LSTM") {
      const plan = planLstmWasm(target.model, { fastTanh, relaxed });
      p = assemble(plan.wat).then((module) => ({ kind: "LSTM", plan: { ...plan, wat: "" }, module }));
    } else {
      const plan =
        target.kind === "ConvNet"
          ? planConvNetWasm(target.model, { fastTanh, relaxed })
          : planLinearWasm(target.model, { relaxed });
      p = assemble(plan.wat).then((module) => ({ kind: "History", plan: { ...plan, wat: "" }, module }));
    }
    p.catch(() => compiled.delete(key));
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, p);
  return p;
}

/** Whether `backend: "wasm"` can render this model at size `slim` (else "auto" falls back to TS). */
export function namWasmCovers(model: NamModel, slim = 1): boolean {
  return wasmSimdSupported && wasmTarget(slimNamModel(model, slim)) !== null;
}

/**
 * A streaming renderer for a model at the size `options.slim` picks (full by default): a
 * WebAssembly SIMD kernel generated for the model (backend "auto" or "wasm") where one exists for
 * its layer types (WaveNet, see wasmTarget; LSTM; ConvNet; Linear), else the pure-TS implementation ("js", or where
 * WebAssembly SIMD or a kernel is missing).
 */
export async function createNamRenderer(
  model: NamModel,
  options: NamRendererOptions = {},
): Promise<NamRenderer> {
  const backend = options.backend ?? "auto";
  if (backend === "wasm" && !wasmSimdSupported) {
    throw new AudioError("INVALID_ARGUMENT", "this runtime has no WebAssembly SIMD");
  }
  const m = slimNamModel(model, options.slim ?? 1);
  const target = wasmTarget(m);
  if (backend === "wasm" && !target) {
    throw new AudioError(
      "INVALID_ARGUMENT",
      `no WebAssembly kernel for this ${m.architecture} yet (backend "auto" or "js" renders it in TypeScript)`,
    );
  }
  if (backend !== "js" && wasmSimdSupported && target) {
    const c = await compileModel(target, options.fastTanh ?? false);
    if (c.kind === "WaveNet" && target.kind === "WaveNet") return instantiateWaveNetWasm(target.model, c);
    if (c.kind === "WaveNet" && target.kind === "GeneralWaveNet") {
      // NAM Core's prewarm (the condition DSP's + the WaveNet's own look-back).
      const { sampleRate, prewarm } = target.model;
      return instantiateWaveNetWasm({ sampleRate, receptiveField: prewarm }, c);
    }
    if (c.kind === "LSTM" && target.kind === "LSTM") return instantiateLstmWasm(target.model, c);
    if (c.kind === "History" && (target.kind === "ConvNet" || target.kind === "Linear")) {
      return instantiateHistoryKernel(c, m.sampleRate, Math.ceil(prewarmOf(m) / 64) * 64);
    }
  }
  return createJsNamRenderer(m, { ...options, slim: 1 });
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
