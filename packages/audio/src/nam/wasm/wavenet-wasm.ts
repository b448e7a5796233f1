import { resolveActivation } from "../activations.ts";
import type { PlainWaveNet } from "../plain-wavenet.ts";
import type { NamRenderer } from "../renderer-types.ts";
import { blockModule } from "./block-module.ts";
import { instantiateLstmCondition, type LstmWasmPlan } from "./lstm-wasm.ts";
import { activationInPlace, CONST_POOL_END, Madd, SCRATCH_LOCALS, sigmoidInPlace } from "./simd-math.ts";
import { type WasmMemory, type WasmModule, wasmApi } from "./webassembly.ts";

/**
 * A plain WaveNet (A1, and the WaveNets of an A2 export: per-layer kernel sizes and activations,
 * a head rechannel with its own kernel) as a WebAssembly SIMD module generated for one model.
 *
 * Everything that is fixed for a model (channel counts, dilations, buffer and weight addresses)
 * is baked into the code as constants and load/store offsets, and the loops over channels and taps
 * are fully unrolled, so the hot path is straight-line f32x4 multiply-adds (fused with relaxed
 * SIMD where the engine has it). Channels are padded to multiples of 4 with zero weights, which
 * leaves the padded lanes at zero (or multiplied by zero) and the result unchanged.
 *
 * Layout: like the pure-TS renderer (wavenet-js.ts), every layer keeps its input history in a
 * time-major linear buffer with a shared write position and a "rewind" copy when it fills up.
 * Frames are processed 2 (16 channels) or 4 (8 channels or fewer) at a time so each weight vector
 * loaded serves several frames; a block whose length is not a multiple of that computes a few
 * throw-away frames past its end, which the next block overwrites before reading them.
 */

export const WASM_BLOCK = 64;
/** Frames computed per loop iteration, by output vectors per frame (keeps accumulators in registers). */
const framesPerIteration = (outVectors: number) => (outVectors <= 2 ? 4 : 2);
/** Extra frames every buffer has past a block, for the last iteration's throw-away frames. */
const MARGIN = 4;
export const WASM_MARGIN = MARGIN;
const SPAN = 4096;

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

interface ArrayPlan {
  C: number;
  Cp: number;
  convOutP: number;
  gated: boolean;
  /** Padded width of the array input (1 -> 4 for the first array). */
  Ip: number;
  Ireal: number;
  H: number;
  Hp: number;
  hist: number[];
  arrOut: number;
  headAcc: number;
  headOut: number;
  rechannel: number;
  layers: {
    conv: number;
    bias: number;
    mixin: number;
    w1: number;
    b1: number;
    dilation: number;
    kernelSize: number;
  }[];
  headW: number;
  headB: number;
  /** Head weights for the head-size-1 dot product, or -1. */
  headDot: number;
}

export interface WaveNetWasmPlan {
  wat: string;
  bytes: number;
  frames: number;
  lookback: number;
  cond: number;
  /** Where the condition DSP's outputs go ([frame][condStride]); = cond without a condition DSP. */
  condv: number;
  condStride: number;
  out: number;
  /** Floats per frame of the output: 1, or the padded head channels of a condition DSP. */
  outStride: number;
  /** [byte offset, float data] pairs to write once. */
  init: [number, Float32Array][];
  /** [byte offset, floats per frame] of each history buffer (for rewinds). */
  histories: [number, number][];
}

export function planWaveNetWasm(
  model: PlainWaveNet,
  options: { fastTanh?: boolean; relaxed: boolean },
): WaveNetWasmPlan {
  const m = new Madd(options.relaxed);
  const fast = options.fastTanh ?? false;
  let lookback = 0;
  for (const a of model.layerArrays) {
    for (const l of a.layers) lookback = Math.max(lookback, l.dilation * (l.kernelSize - 1));
    lookback = Math.max(lookback, a.headDilation * (a.headKernelSize - 1));
  }
  const frames = lookback + SPAN + MARGIN;
  const B = WASM_BLOCK + MARGIN;

  let top = CONST_POOL_END;
  const alloc = (floats: number) => {
    const at = top;
    top += Math.ceil((floats * 4) / 16) * 16;
    return at;
  };
  const init: [number, Float32Array][] = [];
  const cond = alloc(B);
  // A condition DSP's outputs arrive as padded vectors, [frame][Ccp]; else the condition is the input.
  const Cc = model.conditionDsp ? model.conditionDsp.outChannels : 1;
  const Ccp = model.conditionDsp ? pad4(Cc) : 1;
  const condv = model.conditionDsp ? alloc(B * Ccp) : cond;
  // A condition DSP's own output keeps every head channel (padded vectors); a whole model's is mono.
  const outStride = model.outChannels > 1 ? pad4(model.outChannels) : 1;
  const out = alloc(B * outStride);
  // head_scale lives in memory, not in the code, so every model of one architecture shares a module.
  const headScale = alloc(4);
  init.push([headScale, Float32Array.of(model.headScale)]);

  const arrays = model.layerArrays;
  const plans: ArrayPlan[] = [];
  arrays.forEach((a, ai) => {
    const C = a.channels;
    const Cp = pad4(C);
    const convOutP = a.gated ? 2 * Cp : Cp;
    const Ireal = a.inputSize;
    const Ip = ai === 0 ? 4 : plans[ai - 1]!.Cp;
    const H = a.headSize;
    const Hp = pad4(H);
    const hist = a.layers.map(() => alloc(frames * Cp));
    const arrOut = alloc(B * Cp);
    // The head sums are a history too: the head rechannel is a causal conv over them.
    const headAcc = alloc(frames * Cp);
    const headOut = alloc(B * Hp);
    // Rechannel, column-major: [j < Ip][o < Cp].
    const rw = new Float32Array(Ip * Cp);
    for (let o = 0; o < C; o++) for (let j = 0; j < Ireal; j++) rw[j * Cp + o] = a.rechannel[o * Ireal + j]!;
    const rechannel = alloc(rw.length);
    init.push([rechannel, rw]);
    const layers = a.layers.map((l) => {
      const K = l.kernelSize;
      const convOut = a.gated ? 2 * C : C;
      // Conv output row r (0..convOut) goes to padded row: act half at r, gate half at Cp + (r - C).
      const row = (r: number) => (r < C ? r : Cp + (r - C));
      const cw = new Float32Array(K * Cp * convOutP);
      for (let r = 0; r < convOut; r++)
        for (let j = 0; j < C; j++)
          for (let k = 0; k < K; k++) cw[(k * Cp + j) * convOutP + row(r)] = l.conv[(r * C + j) * K + k]!;
      const bias = new Float32Array(convOutP);
      // Input mixin, [condition channel][conv row padded].
      const mixin = new Float32Array(Cc * convOutP);
      for (let r = 0; r < convOut; r++) {
        bias[row(r)] = l.convBias[r]!;
        for (let c = 0; c < Cc; c++) mixin[c * convOutP + row(r)] = l.mixin[r * Cc + c]!;
      }
      const w1 = new Float32Array(Cp * Cp);
      for (let o = 0; o < C; o++) for (let j = 0; j < C; j++) w1[j * Cp + o] = l.out1x1[o * C + j]!;
      const b1 = new Float32Array(Cp);
      b1.set(l.out1x1Bias);
      const at = {
        conv: alloc(cw.length),
        bias: alloc(Cp * 2),
        mixin: alloc(mixin.length),
        w1: alloc(w1.length),
        b1: alloc(Cp),
      };
      init.push([at.conv, cw], [at.bias, bias], [at.mixin, mixin], [at.w1, w1], [at.b1, b1]);
      return { ...at, dilation: l.dilation, kernelSize: K };
    });
    // Head rechannel, [tap][in][out padded].
    const Kh = a.headKernelSize;
    const hw = new Float32Array(Kh * Cp * Hp);
    for (let h = 0; h < H; h++)
      for (let j = 0; j < C; j++)
        for (let k = 0; k < Kh; k++) hw[(k * Cp + j) * Hp + h] = a.headRechannel[(h * C + j) * Kh + k]!;
    const hb = new Float32Array(Hp);
    if (a.headRechannelBias) hb.set(a.headRechannelBias);
    const headW = alloc(hw.length);
    const headB = alloc(Hp);
    init.push([headW, hw], [headB, hb]);
    // Head size 1 (every last array): the rechannel is one dot product over taps x channels,
    // vectorised over channels instead: weights [tap][channel padded].
    let headDot = -1;
    if (H === 1) {
      const wd = new Float32Array(Kh * Cp);
      for (let j = 0; j < C; j++) for (let k = 0; k < Kh; k++) wd[k * Cp + j] = a.headRechannel[j * Kh + k]!;
      headDot = alloc(wd.length);
      init.push([headDot, wd]);
    }
    plans.push({
      C,
      Cp,
      convOutP,
      gated: a.gated,
      Ip,
      Ireal,
      H,
      Hp,
      hist,
      arrOut,
      headAcc,
      headOut,
      rechannel,
      layers,
      headW,
      headB,
      headDot,
    });
  });

  const body: string[] = [];
  const g = (l: string) => `(local.get ${l})`;
  const set = (l: string, e: string) => `(local.set ${l} ${e})`;
  const vload = (offset: number, base = "(i32.const 0)") => `(v128.load offset=${offset} ${base})`;
  const splatLoad = (offset: number, base: string) => `(v128.load32_splat offset=${offset} ${base})`;

  const loop = (label: string, inner: string[], step: number) => {
    body.push(set("$t", "(i32.const 0)"), `(block $${label}_end (loop $${label}`);
    body.push(...inner);
    body.push(
      set("$t", `(i32.add ${g("$t")} (i32.const ${step}))`),
      `(br_if $${label} (i32.lt_u ${g("$t")} ${g("$n")}))`,
      "))",
    );
  };
  let maxAcc = 0;
  let maxF = 1;
  const zScratch = alloc(4 * 2 * Math.max(...model.layerArrays.map((a) => pad4(a.channels))));

  plans.forEach((P, ai) => {
    const a = arrays[ai]!;
    const S = P.Cp * 4;
    const mv = P.Cp / 4;
    const isLastArray = ai === plans.length - 1;
    // 1. Rechannel into the first layer's history at frame pos + t.
    {
      const inner: string[] = [
        set(
          "$p",
          `(i32.add (i32.const ${P.hist[0]}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${S})))`,
        ),
      ];
      if (ai === 0) {
        inner.push(set("$x0", splatLoad(cond, `(i32.shl ${g("$t")} (i32.const 2))`)));
        for (let o = 0; o < mv; o++) {
          inner.push(
            `(v128.store offset=${o * 16} ${g("$p")} (f32x4.mul ${g("$x0")} ${vload(P.rechannel + o * 16)}))`,
          );
        }
      } else {
        const prev = plans[ai - 1]!;
        inner.push(
          set("$q", `(i32.add (i32.const ${prev.arrOut}) (i32.mul ${g("$t")} (i32.const ${prev.Cp * 4})))`),
        );
        for (let o = 0; o < mv; o++) inner.push(set(`$a${o}`, "(v128.const i32x4 0 0 0 0)"));
        for (let j = 0; j < P.Ireal; j++) {
          inner.push(set("$x0", splatLoad(j * 4, g("$q"))));
          for (let o = 0; o < mv; o++) {
            inner.push(
              set(`$a${o}`, m.emit(g("$x0"), vload(P.rechannel + (j * P.Cp + o * 4) * 4), g(`$a${o}`))),
            );
          }
        }
        for (let o = 0; o < mv; o++) inner.push(`(v128.store offset=${o * 16} ${g("$p")} ${g(`$a${o}`)})`);
      }
      loop(`rech${ai}`, inner, 1);
      maxAcc = Math.max(maxAcc, mv);
    }
    // 2. Head accumulator (at frames pos..): zero, or the previous array's head output.
    const accAt = `(i32.add (i32.const ${P.headAcc}) (i32.mul ${g("$pos")} (i32.const ${S})))`;
    if (ai === 0) body.push(`(memory.fill ${accAt} (i32.const 0) (i32.mul ${g("$n")} (i32.const ${S})))`);
    else
      body.push(
        `(memory.copy ${accAt} (i32.const ${plans[ai - 1]!.headOut}) (i32.mul ${g("$n")} (i32.const ${S})))`,
      );

    // 3. Layers, F frames per iteration (each weight vector loaded once serves F frames).
    const mo = P.convOutP / 4;
    const F = framesPerIteration(mo);
    maxAcc = Math.max(maxAcc, F * mo);
    maxF = Math.max(maxF, F);
    P.layers.forEach((L, li) => {
      const d = L.dilation;
      const K = L.kernelSize;
      const act = resolveActivation(a.layers[li]!.activation, fast);
      const isLastLayer = li === P.layers.length - 1;
      const X = (f: number) => `$x${f}`;
      const inner: string[] = [
        set(
          "$p",
          `(i32.add (i32.const ${P.hist[li]}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${S})))`,
        ),
        set("$q", `(i32.sub ${g("$p")} (i32.const ${d * (K - 1) * S}))`),
        set(
          "$c",
          Ccp === 1 ? `(i32.shl ${g("$t")} (i32.const 2))` : `(i32.mul ${g("$t")} (i32.const ${Ccp * 4}))`,
        ),
      ];
      const A = (f: number, o: number) => `$a${f * mo + o}`;
      for (let c = 0; c < Cc; c++) {
        for (let f = 0; f < F; f++) inner.push(set(X(f), splatLoad(condv + 4 * (f * Ccp + c), g("$c"))));
        for (let o = 0; o < mo; o++) {
          inner.push(set("$w", vload(L.mixin + (c * P.convOutP + o * 4) * 4)));
          if (c === 0) inner.push(set("$r", vload(L.bias + o * 16)));
          for (let f = 0; f < F; f++)
            inner.push(set(A(f, o), m.emit(g(X(f)), g("$w"), g(c === 0 ? "$r" : A(f, o)))));
        }
      }
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < P.C; j++) {
          for (let f = 0; f < F; f++) inner.push(set(X(f), splatLoad(((d * k + f) * P.Cp + j) * 4, g("$q"))));
          for (let o = 0; o < mo; o++) {
            inner.push(set("$w", vload(L.conv + ((k * P.Cp + j) * mo + o) * 16)));
            for (let f = 0; f < F; f++) inner.push(set(A(f, o), m.emit(g(X(f)), g("$w"), g(A(f, o)))));
          }
        }
      }
      for (let f = 0; f < F; f++) {
        if (P.gated) {
          for (let o = 0; o < mv; o++) {
            inner.push(...activationInPlace(act, A(f, o), m));
            inner.push(...sigmoidInPlace(A(f, mv + o), m));
            inner.push(set(A(f, o), `(f32x4.mul ${g(A(f, o))} ${g(A(f, mv + o))})`));
          }
        } else {
          for (let o = 0; o < mv; o++) inner.push(...activationInPlace(act, A(f, o), m));
        }
        // Head accumulator += z; z also goes to scratch so the 1x1 can broadcast its lanes by load.
        inner.push(
          set(
            "$h",
            `(i32.add (i32.const ${P.headAcc + f * S}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${S})))`,
          ),
        );
        for (let o = 0; o < mv; o++) {
          inner.push(
            `(v128.store offset=${o * 16} ${g("$h")} (f32x4.add (v128.load offset=${o * 16} ${g("$h")}) ${g(A(f, o))}))`,
          );
          inner.push(`(v128.store offset=${zScratch + (f * P.Cp + o * 4) * 4} (i32.const 0) ${g(A(f, o))})`);
        }
      }
      // Residual: next = x + b1 + W1 z (skipped for the very last layer, which feeds nothing).
      // Accumulators F x (up to 4) vectors; z lanes come back from scratch as broadcast loads.
      if (!(isLastLayer && isLastArray)) {
        for (let o0 = 0; o0 < mv; o0 += 4) {
          const os = Array.from({ length: Math.min(4, mv - o0) }, (_, i) => o0 + i);
          const R = (f: number, o: number) => `$a${f * 4 + (o - o0)}`;
          for (const o of os) {
            inner.push(set("$w", vload(L.b1 + o * 16)));
            for (let f = 0; f < F; f++) {
              inner.push(
                set(R(f, o), `(f32x4.add (v128.load offset=${f * S + o * 16} ${g("$p")}) ${g("$w")})`),
              );
            }
          }
          for (let j = 0; j < P.C; j++) {
            for (let f = 0; f < F; f++)
              inner.push(set(X(f), splatLoad(zScratch + (f * P.Cp + j) * 4, "(i32.const 0)")));
            for (const o of os) {
              inner.push(set("$w", vload(L.w1 + (j * P.Cp + o * 4) * 4)));
              for (let f = 0; f < F; f++) inner.push(set(R(f, o), m.emit(g(X(f)), g("$w"), g(R(f, o)))));
            }
          }
          for (let f = 0; f < F; f++) {
            const dest = isLastLayer
              ? `(i32.add (i32.const ${P.arrOut + f * S}) (i32.mul ${g("$t")} (i32.const ${S})))`
              : `(i32.add ${g("$p")} (i32.const ${P.hist[li + 1]! - P.hist[li]! + f * S}))`;
            inner.push(set("$h", dest));
            for (const o of os) inner.push(`(v128.store offset=${o * 16} ${g("$h")} ${g(R(f, o))})`);
          }
        }
        maxAcc = Math.max(maxAcc, 4 * F);
      }
      loop(`l${ai}_${li}`, inner, F);
    });

    // 4. Head rechannel: headOut[t] = hb + sum over taps k of Wh[k] headAcc[pos + t - dh (Kh-1-k)].
    {
      const mh = P.Hp / 4;
      const Kh = a.headKernelSize;
      const dh = a.headDilation;
      const inner: string[] = [
        set(
          "$q",
          `(i32.add (i32.const ${P.headAcc - dh * (Kh - 1) * S}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${S})))`,
        ),
        set("$h", `(i32.add (i32.const ${P.headOut}) (i32.mul ${g("$t")} (i32.const ${P.Hp * 4})))`),
      ];
      if (P.headDot >= 0) {
        // Up to 4 partial sums (short dependency chains), then across lanes; lanes 1-3 of the
        // head output stay zero.
        const products = Kh * mv;
        const NA = Math.min(4, products);
        for (let i = 0; i < NA; i++) inner.push(set(`$a${i}`, "(v128.const i32x4 0 0 0 0)"));
        let i = 0;
        for (let k = 0; k < Kh; k++)
          for (let v = 0; v < mv; v++, i++) {
            const acc = `$a${i % NA}`;
            inner.push(
              set(
                acc,
                m.emit(
                  `(v128.load offset=${(k * dh * P.Cp + v * 4) * 4} ${g("$q")})`,
                  vload(P.headDot + (k * P.Cp + v * 4) * 4),
                  g(acc),
                ),
              ),
            );
          }
        const sum = (lo: number, hi: number): string =>
          hi - lo === 1 ? g(`$a${lo}`) : `(f32x4.add ${sum(lo, (lo + hi) >> 1)} ${sum((lo + hi) >> 1, hi)})`;
        inner.push(set("$a0", sum(0, NA)));
        const lane = (l: number) => `(f32x4.extract_lane ${l} ${g("$a0")})`;
        inner.push(
          `(f32.store ${g("$h")} (f32.add (f32.load offset=${P.headB} (i32.const 0)) (f32.add (f32.add ${lane(0)} ${lane(1)}) (f32.add ${lane(2)} ${lane(3)}))))`,
        );
        loop(`head${ai}`, inner, 1);
        maxAcc = Math.max(maxAcc, NA);
      } else {
        for (let o = 0; o < mh; o++) inner.push(set(`$a${o}`, vload(P.headB + o * 16)));
        for (let k = 0; k < Kh; k++)
          for (let j = 0; j < P.C; j++) {
            inner.push(set("$x0", splatLoad((k * dh * P.Cp + j) * 4, g("$q"))));
            for (let o = 0; o < mh; o++)
              inner.push(
                set(
                  `$a${o}`,
                  m.emit(g("$x0"), vload(P.headW + ((k * P.Cp + j) * P.Hp + o * 4) * 4), g(`$a${o}`)),
                ),
              );
          }
        for (let o = 0; o < mh; o++) inner.push(`(v128.store offset=${o * 16} ${g("$h")} ${g(`$a${o}`)})`);
        loop(`head${ai}`, inner, 1);
        maxAcc = Math.max(maxAcc, mh);
      }
    }
  });
  // 5. Output = head_scale * lane 0 of the last head output (every head channel for a condition DSP).
  const last = plans[plans.length - 1]!;
  if (outStride > 1) {
    body.push(
      set("$t", "(i32.const 0)"),
      set("$w", splatLoad(headScale, "(i32.const 0)")),
      "(block $out_end (loop $out",
      set("$q", `(i32.mul ${g("$t")} (i32.const ${last.Hp * 4}))`),
      ...Array.from(
        { length: last.Hp / 4 },
        (_, o) =>
          `(v128.store offset=${out + o * 16} ${g("$q")} (f32x4.mul ${g("$w")} (v128.load offset=${last.headOut + o * 16} ${g("$q")})))`,
      ),
      set("$t", `(i32.add ${g("$t")} (i32.const 1))`),
      `(br_if $out (i32.lt_u ${g("$t")} ${g("$n")}))`,
      "))",
    );
  } else {
    body.push(
      set("$t", "(i32.const 0)"),
      "(block $out_end (loop $out",
      `(f32.store offset=${out} (i32.shl ${g("$t")} (i32.const 2)) (f32.mul (f32.load offset=${headScale} (i32.const 0)) (f32.load offset=${last.headOut} (i32.mul ${g("$t")} (i32.const ${last.Hp * 4})))))`,
      set("$t", `(i32.add ${g("$t")} (i32.const 1))`),
      `(br_if $out (i32.lt_u ${g("$t")} ${g("$n")}))`,
      "))",
    );
  }

  const v128Locals = [
    ...Array.from({ length: maxAcc }, (_, i) => `$a${i}`),
    ...Array.from({ length: maxF }, (_, i) => `$x${i}`),
    "$w",
    "$r",
    ...SCRATCH_LOCALS,
  ];
  init.push(m.constants());
  const pages = Math.ceil(top / 65536) + 1;
  const wat = blockModule({ pages, i32Locals: ["$t", "$p", "$q", "$h", "$c"], v128Locals, body });
  return {
    wat,
    bytes: pages * 65536,
    frames,
    lookback,
    cond,
    condv,
    condStride: Ccp,
    out,
    outStride,
    init,
    histories: plans.flatMap((P) => [...P.hist, P.headAcc].map((h) => [h, P.Cp] as [number, number])),
  };
}

export interface CompiledWaveNet {
  plan: WaveNetWasmPlan;
  module: WasmModule;
  /** The condition DSP's kernel, when the model has one (its output is this kernel's condition). */
  condition?: CompiledWaveNet | { kind: "LSTM"; plan: LstmWasmPlan; module: WasmModule };
}

/** One instance of a kernel: a block at a time, its output left in its memory at `outF`. */
interface WaveNetInstance {
  heap: Float32Array;
  outF: number;
  memoryBytes: number;
  /** Render input[0..n) (n <= WASM_BLOCK) and `padded - n` throw-away frames after it. */
  step(input: Float32Array, n: number, padded: number): void;
  /** Zeroed state and weights in place; no prewarm. */
  clear(): void;
}

function instantiate(compiled: CompiledWaveNet): WaveNetInstance {
  const { plan } = compiled;
  const c = compiled.condition;
  const condition = !c ? null : "kind" in c ? instantiateLstmCondition(c) : instantiate(c);
  const instance = new wasmApi.Instance(compiled.module, {});
  const exports = instance.exports as { memory: WasmMemory; block: (n: number, pos: number) => void };
  const heap = new Float32Array(exports.memory.buffer);
  const block = exports.block;
  const condF = plan.cond / 4;
  const condvF = plan.condv / 4;
  const { lookback, frames } = plan;
  let pos = lookback;

  function rewind(): void {
    for (const [at, width] of plan.histories) {
      const base = at / 4;
      heap.copyWithin(base, base + (pos - lookback) * width, base + pos * width);
    }
    pos = lookback;
  }

  return {
    heap,
    outF: plan.out / 4,
    memoryBytes: exports.memory.buffer.byteLength + (condition?.memoryBytes ?? 0),
    step(input, n, padded) {
      if (pos + WASM_BLOCK + MARGIN > frames) rewind();
      if (condition) {
        condition.step(input, n, padded);
        const at = condition.outF;
        heap.set(condition.heap.subarray(at, at + padded * plan.condStride), condvF);
      }
      heap.set(input.subarray(0, n), condF);
      heap.fill(0, condF + n, condF + padded);
      block(padded, pos);
      pos += n;
    },
    clear() {
      condition?.clear();
      heap.fill(0);
      for (const [at, data] of plan.init) heap.set(data, at / 4);
      pos = lookback;
    },
  };
}

/** Instantiate a compiled model as a streaming renderer (cheap: one memory, weights copied in). */
export function instantiateWaveNetWasm(
  model: { sampleRate: number; receptiveField: number },
  compiled: CompiledWaveNet,
): NamRenderer {
  const k = instantiate(compiled);
  const { heap, outF } = k;

  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let off = 0; off < input.length; off += WASM_BLOCK) {
      const n = Math.min(WASM_BLOCK, input.length - off);
      const padded = (n + 3) & ~3; // every loop steps 1, 2 or 4 frames: a multiple of 4 fits all
      k.step(input.subarray(off, off + n), n, padded);
      output.set(heap.subarray(outF, outF + n), off);
    }
  }

  // The receptive field includes the condition DSP's: both see the same silence, as in NAM Core.
  const prewarmSamples = Math.ceil(model.receptiveField / WASM_BLOCK) * WASM_BLOCK;
  function reset(): void {
    k.clear();
    const zeros = new Float32Array(prewarmSamples);
    process(zeros, new Float32Array(prewarmSamples));
  }
  reset();
  return {
    backend: "wasm",
    sampleRate: model.sampleRate,
    prewarmSamples,
    memoryBytes: k.memoryBytes,
    process,
    reset,
  };
}
