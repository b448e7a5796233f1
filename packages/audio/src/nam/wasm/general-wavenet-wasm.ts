import { type Activation, resolveActivation } from "../activations.ts";
import type { Conv1DWeights, Conv1x1Weights, FilmWeights } from "../layers.ts";
import type { WaveNetModel } from "../model.ts";
import type { FilmPosition } from "../wavenet-spec.ts";
import { blockModule } from "./block-module.ts";
import { activationInPlace, CONST_POOL_END, Madd, SCRATCH_LOCALS, sigmoidInPlace } from "./simd-math.ts";
import { WASM_BLOCK, WASM_MARGIN, type WaveNetWasmPlan } from "./wavenet-wasm.ts";

/**
 * The configurable WaveNet (what the plain kernel, wavenet-wasm.ts, does not take) as a WebAssembly
 * SIMD module generated for one model: FiLM at every position (with shift and groups), head1x1,
 * bottleneck != channels, gated and blended layers with any secondary activation, grouped
 * convolutions (expanded to dense matrices with zero blocks, whose products are skipped), PReLU
 * (per-lane slopes), a condition DSP (a WaveNet or an LSTM with its own kernel, feeding this one's
 * condition).
 *
 * It follows graph-js.ts (NAM Core's order of operations) one frame at a time: per layer one loop
 * over the block's frames, every stage of a frame in v128 locals; a vector whose lanes a matrix
 * needs as broadcasts goes through a scratch area in memory. Channels are padded to multiples of
 * 4 with zero weights. A post-stack head runs in the output loop (each conv's activated input
 * kept as a history). Not covered (renders in TS): PReLU whose slope would
 * depend on the frame (ungated layers whose bottleneck is not a multiple of the slope count), a
 * condition DSP that is neither a WaveNet nor an LSTM.
 */

const SPAN = 4096;
const pad4 = (n: number) => Math.ceil(n / 4) * 4;
const ZERO = "(v128.const i32x4 0 0 0 0)";

/** Whether the general kernel renders this WaveNet (`nested`: as a condition DSP, any output width). */
export function generalWaveNetCovered(model: WaveNetModel, nested = false): boolean {
  if (!nested && model.outChannels !== 1) return false;
  // The post-stack head activates a whole block: PReLU's slope index runs on across frames.
  const post = model.postHead;
  if (
    post?.activations.some((a, i) => a.kind === "prelu" && post.convs[i]!.inChannels % a.slopes.length !== 0)
  )
    return false;
  const dsp = model.conditionDsp;
  if (dsp) {
    if (dsp.architecture !== "WaveNet" && dsp.architecture !== "LSTM") return false;
    if (dsp.architecture === "WaveNet" && !generalWaveNetCovered(dsp, true)) return false;
  }
  return model.layerArrays.every((a) =>
    a.layers.every((l) => {
      for (const act of [l.activation, l.secondary]) {
        if (act?.kind === "prelu" && l.gating === "none" && a.bottleneck % act.slopes.length !== 0)
          return false;
      }
      return true;
    }),
  );
}

/** Rows of a matrix whose output row r lands at padded position rowMap(r). */
type RowMap = (r: number) => number;
const identity: RowMap = (r) => r;

/** Whether weight (o, j) of a grouped conv exists (NAM layout: [out][in], groups block-diagonal). */
function inGroup(
  c: { inChannels: number; outChannels: number; groups: number },
  o: number,
  j: number,
): boolean {
  const op = c.outChannels / c.groups;
  const ip = c.inChannels / c.groups;
  return Math.floor(o / op) === Math.floor(j / ip);
}

export function planGeneralWaveNetWasm(
  model: WaveNetModel,
  options: { fastTanh?: boolean; relaxed: boolean },
): WaveNetWasmPlan {
  const m = new Madd(options.relaxed);
  const fast = options.fastTanh ?? false;
  let lookback = 0;
  for (const a of model.layerArrays) {
    for (const l of a.layers) lookback = Math.max(lookback, l.dilation * (l.kernelSize - 1));
    lookback = Math.max(lookback, a.headRechannel.dilation * (a.headRechannel.kernelSize - 1));
  }
  for (const c of model.postHead?.convs ?? []) lookback = Math.max(lookback, c.dilation * (c.kernelSize - 1));
  const frames = lookback + SPAN + WASM_MARGIN;
  const B = WASM_BLOCK + WASM_MARGIN;

  let top = CONST_POOL_END;
  const alloc = (floats: number) => {
    const at = top;
    top += Math.ceil((floats * 4) / 16) * 16;
    return at;
  };
  const init: [number, Float32Array][] = [];
  const data = (d: Float32Array) => {
    const at = alloc(d.length);
    init.push([at, d]);
    return at;
  };
  const cond = alloc(B);
  // A WaveNet condition DSP gives padded vectors per frame, an LSTM one float per frame.
  const dsp = model.conditionDsp?.architecture === "WaveNet" ? model.conditionDsp : null;
  const Cc = dsp ? dsp.outChannels : 1;
  const Ccp = dsp ? pad4(Cc) : 1;
  const condv = model.conditionDsp ? alloc(B * Ccp) : cond;
  const outStride = model.outChannels > 1 ? pad4(model.outChannels) : 1;
  const out = alloc(B * outStride);
  const headScale = data(Float32Array.of(model.headScale));
  let widest = Ccp;
  for (const a of model.layerArrays) widest = Math.max(widest, 2 * pad4(a.bottleneck), pad4(a.channels));
  const scratch = alloc(widest);

  const body: string[] = [];
  const g = (l: string) => `(local.get ${l})`;
  const set = (l: string, e: string) => `(local.set ${l} ${e})`;
  const vload = (offset: number, base = "(i32.const 0)") => `(v128.load offset=${offset} ${base})`;
  const splatLoad = (offset: number, base: string) => `(v128.load32_splat offset=${offset} ${base})`;
  let nextLocal = 0;
  let maxLocal = 0;
  const vec = (n: number): string[] => {
    const names = Array.from({ length: n }, (_, i) => `$v${nextLocal + i}`);
    nextLocal += n;
    maxLocal = Math.max(maxLocal, nextLocal);
    return names;
  };
  const loop = (label: string, inner: string[]) => {
    body.push(set("$t", "(i32.const 0)"), `(block $${label}_end (loop $${label}`);
    body.push(...inner);
    body.push(
      set("$t", `(i32.add ${g("$t")} (i32.const 1))`),
      `(br_if $${label} (i32.lt_u ${g("$t")} ${g("$n")}))`,
      "))",
    );
  };
  /** Byte address of frame t (plus `shift` frames) in a buffer of `stride` floats per frame. */
  const frameAt = (base: number, stride: number, history: boolean) =>
    `(i32.add (i32.const ${base}) (i32.mul ${history ? `(i32.add ${g("$pos")} ${g("$t")})` : g("$t")} (i32.const ${stride * 4})))`;

  /** Lane j (tap k) of a matrix's input as a broadcast. */
  type Src = (j: number, k: number) => string;
  /**
   * out = bias + sum over taps k and inputs j of W[r][j][k] x_k[j], rows r at padded positions
   * rowMap(r) of `outVecs` vectors. Zero weight vectors (other groups, padding) are skipped.
   */
  const dense = (
    inner: string[],
    src: Src,
    inCh: number,
    K: number,
    rows: number,
    outVecs: number,
    weight: (r: number, j: number, k: number) => number,
    bias: ((r: number) => number) | null,
    rowMap: RowMap = identity,
  ): string[] => {
    const outP = outVecs * 4;
    const W = new Float32Array(K * inCh * outP);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < inCh; j++)
        for (let k = 0; k < K; k++) W[(k * inCh + j) * outP + rowMap(r)] = weight(r, j, k);
    const wAt = data(W);
    const acc = vec(outVecs);
    if (bias) {
      const b = new Float32Array(outP);
      for (let r = 0; r < rows; r++) b[rowMap(r)] = bias(r);
      const bAt = data(b);
      acc.forEach((a, o) => {
        inner.push(set(a, vload(bAt + o * 16)));
      });
    } else
      acc.forEach((a) => {
        inner.push(set(a, ZERO));
      });
    const nonzero = (k: number, j: number, o: number) => {
      for (let l = 0; l < 4; l++) if (W[(k * inCh + j) * outP + o * 4 + l] !== 0) return true;
      return false;
    };
    for (let k = 0; k < K; k++)
      for (let j = 0; j < inCh; j++) {
        const os = acc.map((_, o) => o).filter((o) => nonzero(k, j, o));
        if (os.length === 0) continue;
        inner.push(set("$x", src(j, k)));
        for (const o of os)
          inner.push(
            set(acc[o]!, m.emit(g("$x"), vload(wAt + ((k * inCh + j) * outP + o * 4) * 4), g(acc[o]!))),
          );
      }
    return acc;
  };
  const conv1x1 = (
    inner: string[],
    src: Src,
    c: Conv1x1Weights,
    outVecs: number,
    rowMap: RowMap = identity,
  ) =>
    dense(
      inner,
      src,
      c.inChannels,
      1,
      c.outChannels,
      outVecs,
      (r, j) => (inGroup(c, r, j) ? c.w[r * c.inChannels + j]! : 0),
      c.bias ? (r) => c.bias![r]! : null,
      rowMap,
    );
  const fromMemory =
    (base: string, offset: number, stride = 0): Src =>
    (j, k) =>
      splatLoad(offset + (k * stride + j) * 4, base);
  /** A vector value's lanes as broadcasts (through the scratch area). */
  const fromVector = (inner: string[], v: string[]): Src => {
    v.forEach((x, o) => {
      inner.push(`(v128.store offset=${scratch + o * 16} (i32.const 0) ${g(x)})`);
    });
    return fromMemory("(i32.const 0)", scratch);
  };
  const condSrc = fromMemory(`(i32.mul ${g("$t")} (i32.const ${Ccp * 4}))`, condv);
  /** v * scale(cond) (+ shift(cond)), in v's padded layout. */
  const film = (inner: string[], v: string[], f: FilmWeights, rowMap: RowMap = identity): string[] => {
    // Rows 0..dim of the FiLM conv are the scale, dim..2dim the shift.
    const c = f.conv;
    const part = (first: number) =>
      dense(
        inner,
        condSrc,
        c.inChannels,
        1,
        f.dim,
        v.length,
        (r, j) => (inGroup(c, r + first, j) ? c.w[(r + first) * c.inChannels + j]! : 0),
        c.bias ? (r) => c.bias![r + first]! : null,
        rowMap,
      );
    const scale = part(0);
    const shift = f.shift ? part(f.dim) : null;
    return v.map((x, o) => {
      const y = vec(1)[0]!;
      inner.push(
        set(y, shift ? m.emit(g(x), g(scale[o]!), g(shift[o]!)) : `(f32x4.mul ${g(x)} ${g(scale[o]!)})`),
      );
      return y;
    });
  };
  const applyAct = (inner: string[], act: Activation, v: string[]) => {
    const a = resolveActivation(act, fast);
    v.forEach((x, o) => {
      if (a.kind === "prelu") {
        // The slope of channel c is slopes[c mod count] (see generalWaveNetCovered).
        const s = new Float32Array(4);
        for (let l = 0; l < 4; l++) s[l] = a.slopes[(o * 4 + l) % a.slopes.length]!;
        const sAt = data(s);
        inner.push(
          set(x, `(v128.bitselect ${g(x)} (f32x4.mul ${g(x)} ${vload(sAt)}) (f32x4.gt ${g(x)} ${ZERO}))`),
        );
      } else if (a.kind === "sigmoid") inner.push(...sigmoidInPlace(x, m));
      else inner.push(...activationInPlace(a, x, m));
    });
  };

  const histories: [number, number][] = [];
  let prev: { out: number; Cp: number; headOut: number; Hp: number; inCh: number } | null = null;
  model.layerArrays.forEach((a, ai) => {
    const C = a.channels;
    const Cp = pad4(C);
    const Bn = a.bottleneck;
    const Bp = pad4(Bn);
    const Ho = a.headOutputSize;
    const Hop = pad4(Ho);
    const H = a.headSize;
    const Hp = pad4(H);
    const bufs = [alloc(B * Cp), alloc(B * Cp)];
    const headAcc = alloc(frames * Hop);
    histories.push([headAcc, Hop]);
    const headOut = alloc(B * Hp);
    // 1. Rechannel (no bias) into the first layer's input.
    {
      nextLocal = 0;
      const inner: string[] = [];
      const src = prev
        ? fromMemory(`(i32.mul ${g("$t")} (i32.const ${prev.Cp * 4}))`, prev.out)
        : fromMemory(`(i32.shl ${g("$t")} (i32.const 2))`, cond);
      const v = conv1x1(inner, src, a.rechannel, Cp / 4);
      inner.push(set("$p", frameAt(bufs[0]!, Cp, false)));
      v.forEach((x, o) => {
        inner.push(`(v128.store offset=${o * 16} ${g("$p")} ${g(x)})`);
      });
      loop(`rech${ai}`, inner);
    }
    // 2. Head accumulator: zero, or the previous array's head output (same width, checked at load).
    {
      const at = `(i32.add (i32.const ${headAcc}) (i32.mul ${g("$pos")} (i32.const ${Hop * 4})))`;
      if (!prev) body.push(`(memory.fill ${at} (i32.const 0) (i32.mul ${g("$n")} (i32.const ${Hop * 4})))`);
      else {
        if (prev.Hp !== Hop) throw new Error("head widths differ between layer arrays");
        body.push(
          `(memory.copy ${at} (i32.const ${prev.headOut}) (i32.mul ${g("$n")} (i32.const ${Hop * 4})))`,
        );
      }
    }
    // 3. Layers.
    a.layers.forEach((l, li) => {
      nextLocal = 0;
      const inner: string[] = [];
      const films = l.films as Partial<Record<FilmPosition, FilmWeights>>;
      const cur = bufs[li % 2]!;
      const nxt = bufs[(li + 1) % 2]!;
      const K = l.kernelSize;
      const d = l.dilation;
      const gated = l.gating !== "none";
      // Conv rows: the activation half at 0..Bn, the gate half at Bp + (r - Bn).
      const row: RowMap = (r) => (r < Bn ? r : Bp + (r - Bn));
      const zVecs = (gated ? 2 * Bp : Bp) / 4;
      const hist = alloc(frames * Cp);
      histories.push([hist, Cp]);
      inner.push(set("$p", frameAt(cur, Cp, false)));
      const X = vec(Cp / 4);
      X.forEach((x, o) => {
        inner.push(set(x, vload(o * 16, g("$p"))));
      });
      // conv input (FiLM before) into the conv's history
      const convIn = films.conv_pre_film ? film(inner, X, films.conv_pre_film) : X;
      inner.push(set("$h", frameAt(hist, Cp, true)));
      convIn.forEach((x, o) => {
        inner.push(`(v128.store offset=${o * 16} ${g("$h")} ${g(x)})`);
      });
      inner.push(set("$q", `(i32.sub ${g("$h")} (i32.const ${d * (K - 1) * Cp * 4}))`));
      const cw = l.conv as Conv1DWeights;
      let z = dense(
        inner,
        fromMemory(g("$q"), 0, d * Cp),
        C,
        K,
        cw.outChannels,
        zVecs,
        (r, j, k) => (inGroup(cw, r, j) ? cw.w[(r * C + j) * K + k]! : 0),
        cw.bias ? (r) => cw.bias![r]! : null,
        row,
      );
      if (films.conv_post_film) z = film(inner, z, films.conv_post_film, row);
      // input mixin of the condition (FiLM before and after)
      let mixSrc = condSrc;
      if (films.input_mixin_pre_film) {
        const cv = vec(Ccp === 1 ? 1 : Ccp / 4);
        cv.forEach((x, o) => {
          inner.push(
            set(
              x,
              Ccp === 1
                ? splatLoad(condv, `(i32.shl ${g("$t")} (i32.const 2))`)
                : vload(condv + o * 16, `(i32.mul ${g("$t")} (i32.const ${Ccp * 4}))`),
            ),
          );
        });
        mixSrc = fromVector(inner, film(inner, cv, films.input_mixin_pre_film));
      }
      let mix = conv1x1(inner, mixSrc, l.mixin, zVecs, row);
      if (films.input_mixin_post_film) mix = film(inner, mix, films.input_mixin_post_film, row);
      z.forEach((x, o) => {
        inner.push(set(x, `(f32x4.add ${g(x)} ${g(mix[o]!)})`));
      });
      if (films.activation_pre_film) z = film(inner, z, films.activation_pre_film, row);
      // activation: plain, gated (act(top) * sec(bottom)) or blended (alpha act(top) + (1 - alpha) top)
      const topV = z.slice(0, Bp / 4);
      if (!gated) applyAct(inner, l.activation, topV);
      else {
        const bottom = z.slice(Bp / 4);
        const pre = l.gating === "blended" ? vec(topV.length) : [];
        pre.forEach((p, o) => {
          inner.push(set(p, g(topV[o]!)));
        });
        applyAct(inner, l.activation, topV);
        applyAct(inner, l.secondary!, bottom);
        topV.forEach((x, o) => {
          const s = bottom[o]!;
          inner.push(
            set(
              x,
              l.gating === "gated"
                ? `(f32x4.mul ${g(x)} ${g(s)})`
                : `(f32x4.add (f32x4.mul ${g(s)} ${g(x)}) (f32x4.mul (f32x4.sub ${m.k(1)} ${g(s)}) ${g(pre[o]!)}))`,
            ),
          );
        });
      }
      if (films.activation_post_film)
        z = film(inner, [...topV, ...z.slice(Bp / 4)], films.activation_post_film, row);
      else z = [...topV, ...z.slice(Bp / 4)];
      const top = z.slice(0, Bp / 4);
      const topSrc = fromVector(inner, top);
      // residual: next = X + layer1x1(top); layer1x1_post_film only when blended (NAM Core)
      inner.push(set("$p", frameAt(nxt, Cp, false)));
      if (l.layer1x1) {
        let r1 = conv1x1(inner, topSrc, l.layer1x1, Cp / 4);
        if (l.gating === "blended" && films.layer1x1_post_film)
          r1 = film(inner, r1, films.layer1x1_post_film);
        X.forEach((x, o) => {
          inner.push(`(v128.store offset=${o * 16} ${g("$p")} (f32x4.add ${g(x)} ${g(r1[o]!)}))`);
        });
      } else
        X.forEach((x, o) => {
          inner.push(`(v128.store offset=${o * 16} ${g("$p")} ${g(x)})`);
        });
      // skip to the head: head1x1(top) (FiLM after), or the top rows themselves
      let h: string[];
      if (l.head1x1) {
        h = conv1x1(inner, topSrc, l.head1x1, Hop / 4);
        if (films.head1x1_post_film) h = film(inner, h, films.head1x1_post_film);
      } else {
        // Ho = bottleneck: the top vectors, their padded lanes zeroed by a mask.
        h = top;
        if (Ho % 4 !== 0) {
          const mask = new Float32Array(Hop);
          mask.fill(1, 0, Ho);
          const at = data(mask);
          const last = h.length - 1;
          const y = vec(1)[0]!;
          inner.push(set(y, `(f32x4.mul ${g(h[last]!)} ${vload(at + last * 16)})`));
          h = [...h.slice(0, last), y];
        }
      }
      inner.push(set("$h", frameAt(headAcc, Hop, true)));
      h.forEach((x, o) => {
        inner.push(
          `(v128.store offset=${o * 16} ${g("$h")} (f32x4.add (v128.load offset=${o * 16} ${g("$h")}) ${g(x)}))`,
        );
      });
      loop(`l${ai}_${li}`, inner);
    });
    const arrOut = bufs[a.layers.length % 2]!;
    // 4. Head rechannel over the head sums' history.
    {
      nextLocal = 0;
      const inner: string[] = [];
      const hr = a.headRechannel;
      const Kh = hr.kernelSize;
      const dh = hr.dilation;
      inner.push(
        set("$q", `(i32.sub ${frameAt(headAcc, Hop, true)} (i32.const ${dh * (Kh - 1) * Hop * 4}))`),
      );
      const v = dense(
        inner,
        fromMemory(g("$q"), 0, dh * Hop),
        Ho,
        Kh,
        H,
        Hp / 4,
        (r, j, k) => (inGroup(hr, r, j) ? hr.w[(r * Ho + j) * Kh + k]! : 0),
        hr.bias ? (r) => hr.bias![r]! : null,
      );
      inner.push(set("$p", frameAt(headOut, Hp, false)));
      v.forEach((x, o) => {
        inner.push(`(v128.store offset=${o * 16} ${g("$p")} ${g(x)})`);
      });
      loop(`head${ai}`, inner);
    }
    prev = { out: arrOut, Cp, headOut, Hp, inCh: C };
  });
  // 5. Output: head_scale times the last head output (lane 0, or every channel for a condition DSP).
  const post = model.postHead;
  if (post) {
    // Post-stack head: per conv, activation(input) into its history, then the causal conv over it.
    nextLocal = 0;
    const last = prev!;
    const inner: string[] = [
      set("$p", frameAt(last.headOut, last.Hp, false)),
      set("$x", splatLoad(headScale, "(i32.const 0)")),
    ];
    let v = vec(last.Hp / 4);
    v.forEach((y, o) => {
      inner.push(set(y, `(f32x4.mul ${g("$x")} ${vload(o * 16, g("$p"))})`));
    });
    post.convs.forEach((c, i) => {
      const inP = pad4(c.inChannels);
      const hist = alloc(frames * inP);
      histories.push([hist, inP]);
      applyAct(inner, post.activations[i]!, v);
      inner.push(set("$h", frameAt(hist, inP, true)));
      v.forEach((y, o) => {
        inner.push(`(v128.store offset=${o * 16} ${g("$h")} ${g(y)})`);
      });
      const K = c.kernelSize;
      const d = c.dilation;
      inner.push(set("$q", `(i32.sub ${g("$h")} (i32.const ${d * (K - 1) * inP * 4}))`));
      v = dense(
        inner,
        fromMemory(g("$q"), 0, d * inP),
        c.inChannels,
        K,
        c.outChannels,
        pad4(c.outChannels) / 4,
        (r, j, k) => (inGroup(c, r, j) ? c.w[(r * c.inChannels + j) * K + k]! : 0),
        c.bias ? (r) => c.bias![r]! : null,
      );
    });
    if (outStride > 1) {
      inner.push(set("$q", frameAt(out, outStride, false)));
      v.forEach((y, o) => {
        inner.push(`(v128.store offset=${o * 16} ${g("$q")} ${g(y)})`);
      });
    } else {
      inner.push(
        `(f32.store offset=${out} (i32.shl ${g("$t")} (i32.const 2)) (f32x4.extract_lane 0 ${g(v[0]!)}))`,
      );
    }
    loop("out", inner);
  } else {
    const last = prev!;
    const inner: string[] = [set("$p", frameAt(last.headOut, last.Hp, false))];
    if (outStride > 1) {
      inner.push(set("$x", splatLoad(headScale, "(i32.const 0)")), set("$q", frameAt(out, outStride, false)));
      for (let o = 0; o < last.Hp / 4; o++)
        inner.push(
          `(v128.store offset=${o * 16} ${g("$q")} (f32x4.mul ${g("$x")} ${vload(o * 16, g("$p"))}))`,
        );
    } else {
      inner.push(
        `(f32.store offset=${out} (i32.shl ${g("$t")} (i32.const 2)) (f32.mul (f32.load offset=${headScale} (i32.const 0)) (f32.load ${g("$p")})))`,
      );
    }
    loop("out", inner);
  }

  const v128Locals = [...Array.from({ length: maxLocal }, (_, i) => `$v${i}`), "$x", ...SCRATCH_LOCALS];
  init.push(m.constants());
  const pages = Math.ceil(top / 65536) + 1;
  const wat = blockModule({ pages, i32Locals: ["$t", "$p", "$q", "$h"], v128Locals, body });
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
    histories,
  };
}
