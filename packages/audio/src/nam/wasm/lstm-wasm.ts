import { lstmPrewarmSamples } from "../lstm-js.ts";
import type { LstmModel } from "../model.ts";
import type { NamRenderer } from "../renderer-types.ts";
import {
  CONST_POOL_END,
  fastTanhInPlace,
  Madd,
  SCRATCH_LOCALS,
  sigmoidInPlace,
  tanhInPlace,
} from "./simd-math.ts";
import { type WasmMemory, type WasmModule, wasmApi } from "./webassembly.ts";

/**
 * LSTM as a WebAssembly SIMD module generated for one model. The recurrence allows no batching over
 * time, so each sample runs every layer's (4H x (in+H)) mat-vec as column-broadcast f32x4
 * multiply-adds into register-resident row accumulators, then the gate nonlinearities four hidden
 * units at a time. Gate pre-activations go through a small scratch buffer so that gate blocks
 * whose size is not a multiple of 4 can be read back with unaligned vector loads; lanes past H are
 * computed but never read as inputs (their weight columns do not exist).
 */

const BLOCK = 256;
const GROUP = 12; // row vectors accumulated at once (measured best of 6, 9, 12, 18 on x64)

export interface LstmWasmPlan {
  wat: string;
  input: number;
  output: number;
  init: [number, Float32Array][];
}

export function planLstmWasm(
  model: LstmModel,
  options: { fastTanh?: boolean; relaxed: boolean },
): LstmWasmPlan {
  const m = new Madd(options.relaxed);
  const fast = options.fastTanh ?? false;
  const H = model.hiddenSize;
  const Hp = Math.ceil(H / 4) * 4;
  const R = Math.ceil((4 * H) / 4) * 4;
  let top = CONST_POOL_END;
  const alloc = (floats: number) => {
    const at = top;
    top += Math.ceil((floats * 4) / 16) * 16 + 16;
    return at;
  };
  const init: [number, Float32Array][] = [];
  const input = alloc(BLOCK);
  const output = alloc(BLOCK);
  const gates = alloc(R + 8);
  const layers = model.layers.map((l) => {
    const I = l.inputSize;
    const cols = I + H;
    const w = new Float32Array(cols * R);
    for (let r = 0; r < 4 * H; r++) for (let j = 0; j < cols; j++) w[j * R + r] = l.w[r * cols + j]!;
    const b = new Float32Array(R);
    b.set(l.b);
    const h = new Float32Array(Hp);
    h.set(l.h0);
    const c = new Float32Array(Hp);
    c.set(l.c0);
    const at = { w: alloc(w.length), b: alloc(R), h: alloc(Hp), c: alloc(Hp), I };
    init.push([at.w, w], [at.b, b], [at.h, h], [at.c, c]);
    return at;
  });
  const hw = new Float32Array(Hp);
  hw.set(model.headWeight);
  const headW = alloc(Hp);
  const headB = alloc(4);
  init.push([headW, hw], [headB, Float32Array.of(model.headBias)]);

  const g = (l: string) => `(local.get ${l})`;
  const set = (l: string, e: string) => `(local.set ${l} ${e})`;
  const vload = (offset: number, base = "(i32.const 0)") => `(v128.load offset=${offset} ${base})`;
  const splat = (offset: number, base = "(i32.const 0)") => `(v128.load32_splat offset=${offset} ${base})`;
  const sig = (v: string) =>
    fast
      ? [
          set(v, `(f32x4.mul ${g(v)} ${m.k(0.5)})`),
          ...fastTanhInPlace(v, m),
          set(v, m.emit(g(v), m.k(0.5), m.k(0.5))),
        ]
      : sigmoidInPlace(v, m);
  const th = (v: string) => (fast ? fastTanhInPlace(v, m) : tanhInPlace(v, m));

  const body: string[] = [];
  const rowVectors = R / 4;
  layers.forEach((L, li) => {
    const cols = L.I + H;
    // Column j's value: the sample (layer 0), the previous layer's h, or this layer's h.
    const colValue = (j: number) => {
      if (j < L.I) return li === 0 ? splat(input, g("$c")) : splat(layers[li - 1]!.h + j * 4);
      return splat(L.h + (j - L.I) * 4);
    };
    for (let v0 = 0; v0 < rowVectors; v0 += GROUP) {
      const vs = Array.from({ length: Math.min(GROUP, rowVectors - v0) }, (_, i) => v0 + i);
      for (const v of vs) body.push(set(`$a${v - v0}`, vload(L.b + v * 16)));
      for (let j = 0; j < cols; j++) {
        body.push(set("$x", colValue(j)));
        for (const v of vs)
          body.push(set(`$a${v - v0}`, m.emit(g("$x"), vload(L.w + (j * R + v * 4) * 4), g(`$a${v - v0}`))));
      }
      for (const v of vs)
        body.push(`(v128.store offset=${gates + v * 16} (i32.const 0) ${g(`$a${v - v0}`)})`);
    }
    for (let u = 0; u < Hp; u += 4) {
      body.push(set("$i", vload(gates + (0 * H + u) * 4)));
      body.push(set("$f", vload(gates + (1 * H + u) * 4)));
      body.push(set("$g", vload(gates + (2 * H + u) * 4)));
      body.push(set("$o", vload(gates + (3 * H + u) * 4)));
      body.push(...sig("$i"), ...sig("$f"), ...th("$g"), ...sig("$o"));
      // c = f c + i g ; h = o tanh(c)
      body.push(set("$x", m.emit(g("$f"), vload(L.c + u * 4), `(f32x4.mul ${g("$i")} ${g("$g")})`)));
      body.push(`(v128.store offset=${L.c + u * 4} (i32.const 0) ${g("$x")})`);
      body.push(...th("$x"));
      body.push(`(v128.store offset=${L.h + u * 4} (i32.const 0) (f32x4.mul ${g("$o")} ${g("$x")}))`);
    }
  });
  // Head: dot(headW, h_last) + bias (padded lanes of headW are zero).
  const last = layers[layers.length - 1]!;
  body.push(set("$x", "(v128.const i32x4 0 0 0 0)"));
  for (let u = 0; u < Hp; u += 4)
    body.push(set("$x", m.emit(vload(headW + u * 4), vload(last.h + u * 4), g("$x"))));
  body.push(
    `(f32.store offset=${output} ${g("$c")} (f32.add (f32.load offset=${headB} (i32.const 0)) (f32.add (f32.add (f32x4.extract_lane 0 ${g("$x")}) (f32x4.extract_lane 1 ${g("$x")})) (f32.add (f32x4.extract_lane 2 ${g("$x")}) (f32x4.extract_lane 3 ${g("$x")})))))`,
  );

  const locals = [
    ...Array.from({ length: Math.min(GROUP, rowVectors) }, (_, i) => `$a${i}`),
    "$x",
    "$i",
    "$f",
    "$g",
    "$o",
    ...SCRATCH_LOCALS,
  ];
  init.push(m.constants());
  const pages = Math.ceil(top / 65536) + 1;
  const wat = `(module
  (memory (export "memory") ${pages})
  (func (export "block") (param $n i32)
    (local $t i32) (local $c i32)
    ${locals.map((l) => `(local ${l} v128)`).join(" ")}
    (block $end (loop $samples
      (local.set $c (i32.shl (local.get $t) (i32.const 2)))
      ${body.join("\n      ")}
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $t) (local.get $n)))
    ))
  )
)`;
  return { wat, input, output, init };
}

/**
 * An LSTM kernel as a WaveNet's condition DSP: steps exactly the block's frames (it is recurrent:
 * a throw-away frame would advance its state), output at `outF`; `clear` zeroes the state with no
 * prewarm (the WaveNet's prewarm, which includes the LSTM's, runs through both).
 */
export function instantiateLstmCondition(compiled: { plan: LstmWasmPlan; module: WasmModule }): {
  heap: Float32Array;
  outF: number;
  memoryBytes: number;
  step(input: Float32Array, n: number, padded: number): void;
  clear(): void;
} {
  const { plan } = compiled;
  const instance = new wasmApi.Instance(compiled.module, {});
  const exports = instance.exports as { memory: WasmMemory; block: (n: number) => void };
  const heap = new Float32Array(exports.memory.buffer);
  const inF = plan.input / 4;
  const outF = plan.output / 4;
  return {
    heap,
    outF,
    memoryBytes: exports.memory.buffer.byteLength,
    step(input, n, padded) {
      heap.set(input.subarray(0, n), inF);
      exports.block(n);
      heap.fill(0, outF + n, outF + padded);
    },
    clear() {
      heap.fill(0);
      for (const [at, data] of plan.init) heap.set(data, at / 4);
    },
  };
}

/**
 * `prewarmed` is filled on the first reset: the state after NAM's prewarm (0.5 s of silence,
 * ~20-30 ms of work) depends only on the weights, so every later renderer of the same compiled
 * kernel (the cache shares it per model content) starts from a copy of it, bit for bit the same.
 */
export function instantiateLstmWasm(
  model: LstmModel,
  compiled: { plan: LstmWasmPlan; module: WasmModule; prewarmed?: Float32Array },
): NamRenderer {
  const { plan } = compiled;
  const instance = new wasmApi.Instance(compiled.module, {});
  const exports = instance.exports as { memory: WasmMemory; block: (n: number) => void };
  const heap = new Float32Array(exports.memory.buffer);
  const inF = plan.input / 4;
  const outF = plan.output / 4;

  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let off = 0; off < input.length; off += BLOCK) {
      const n = Math.min(BLOCK, input.length - off);
      heap.set(input.subarray(off, off + n), inF);
      exports.block(n);
      output.set(heap.subarray(outF, outF + n), off);
    }
  }
  const prewarmSamples = lstmPrewarmSamples(model.sampleRate);
  function reset(): void {
    if (compiled.prewarmed) {
      heap.set(compiled.prewarmed);
      return;
    }
    heap.fill(0);
    for (const [at, data] of plan.init) heap.set(data, at / 4);
    process(new Float32Array(prewarmSamples), new Float32Array(prewarmSamples));
    compiled.prewarmed = heap.slice();
  }
  reset();
  const memoryBytes = exports.memory.buffer.byteLength;
  return { backend: "wasm", sampleRate: model.sampleRate, prewarmSamples, memoryBytes, process, reset };
}
