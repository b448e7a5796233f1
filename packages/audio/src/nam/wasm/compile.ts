import { createHash } from "node:crypto";
import { AudioError } from "../../errors.ts";
import { assembleWat } from "./assemble-wat.ts";
import { type WasmModule, wasmApi } from "./webassembly.ts";

/**
 * Assembles the generated WAT (assemble-wat.ts, our own assembler for the subset the generators
 * write) and compiles it. Nothing is downloaded and no binary is committed: the kernels are
 * generated from our TypeScript for each model.
 */

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
const RELAXED_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 0, 32, 0,
  253, 133, 2, 11,
]);
// (module (func (param v128) (result v128) local.get 0 local.get 0 f32x4.add))
const SIMD_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 11, 1, 9, 0, 32, 0, 32, 0, 253,
  228, 1, 11,
]);

export const wasmSimdSupported = (() => {
  try {
    return wasmApi.validate(SIMD_PROBE);
  } catch {
    return false;
  }
})();

export const wasmRelaxedSimdSupported = (() => {
  try {
    return wasmApi.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
})();

// Generated code depends only on a model's architecture (sizes, dilations, activations), never on
// its weights, so models of one architecture (e.g. every "standard" WaveNet) share one module.
// Keyed by a hash of the text, not the text (an A1 kernel is 1.5 MB of it).
const modules = new Map<string, Promise<WasmModule>>();
const MAX_MODULES = 16;

export function assemble(wat: string): Promise<WasmModule> {
  const key = createHash("sha256").update(wat).digest("hex");
  let p = modules.get(key);
  if (p) {
    // Most recently used last.
    modules.delete(key);
  } else {
    p = assembleUncached(wat);
    p.catch(() => modules.delete(key));
    if (modules.size >= MAX_MODULES) modules.delete(modules.keys().next().value!);
  }
  modules.set(key, p);
  return p;
}

async function assembleUncached(wat: string): Promise<WasmModule> {
  try {
    return new wasmApi.Module(assembleWat(wat));
  } catch (cause) {
    throw new AudioError(
      "INVALID_ARGUMENT",
      `internal error assembling the NAM kernel: ${(cause as Error).message}`,
      { cause },
    );
  }
}
