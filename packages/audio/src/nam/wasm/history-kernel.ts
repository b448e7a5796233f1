import type { NamRenderer } from "../renderer-types.ts";
import { type WasmMemory, type WasmModule, wasmApi } from "./webassembly.ts";

/**
 * The host side of a generated kernel that keeps its state as time-major histories sharing one
 * write position (ConvNet, Linear): `block(n, pos)` renders input[0..n) whose frames land at
 * pos..pos+n; when the histories fill up, their last `lookback` frames move to the front.
 */

export const HISTORY_BLOCK = 64;
export const HISTORY_SPAN = 4096;

export interface HistoryKernelPlan {
  wat: string;
  input: number;
  output: number;
  lookback: number;
  frames: number;
  init: [number, Float32Array][];
  /** [byte offset, floats per frame] of each history. */
  histories: [number, number][];
}

export function instantiateHistoryKernel(
  compiled: { plan: HistoryKernelPlan; module: WasmModule },
  sampleRate: number,
  prewarmSamples: number,
): NamRenderer {
  const { plan } = compiled;
  const instance = new wasmApi.Instance(compiled.module, {});
  const exports = instance.exports as { memory: WasmMemory; block: (n: number, pos: number) => void };
  const heap = new Float32Array(exports.memory.buffer);
  const inF = plan.input / 4;
  const outF = plan.output / 4;
  const { lookback, frames } = plan;
  let pos = lookback;

  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let off = 0; off < input.length; off += HISTORY_BLOCK) {
      const n = Math.min(HISTORY_BLOCK, input.length - off);
      if (pos + n > frames) {
        for (const [at, width] of plan.histories) {
          const base = at / 4;
          heap.copyWithin(base, base + (pos - lookback) * width, base + pos * width);
        }
        pos = lookback;
      }
      heap.set(input.subarray(off, off + n), inF);
      exports.block(n, pos);
      output.set(heap.subarray(outF, outF + n), off);
      pos += n;
    }
  }
  function reset(): void {
    heap.fill(0);
    for (const [at, data] of plan.init) heap.set(data, at / 4);
    pos = lookback;
    const zeros = new Float32Array(HISTORY_BLOCK);
    const sink = new Float32Array(HISTORY_BLOCK);
    for (let i = 0; i < prewarmSamples; i += HISTORY_BLOCK) process(zeros, sink);
  }
  reset();
  return {
    backend: "wasm",
    sampleRate,
    prewarmSamples,
    memoryBytes: exports.memory.buffer.byteLength,
    process,
    reset,
  };
}

/** A bump allocator for the kernel's linear memory (16-byte aligned). */
export function allocator(start = 64) {
  let top = start;
  return {
    alloc(floats: number): number {
      const at = top;
      top += Math.ceil((floats * 4) / 16) * 16;
      return at;
    },
    get pages(): number {
      return Math.ceil(top / 65536) + 1;
    },
  };
}
