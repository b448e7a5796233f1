import { type Activation, applyActivation, resolveActivation } from "./activations.ts";
import type { Conv1DWeights, Conv1x1Weights, FilmWeights } from "./layers.ts";
import { createLstmJsRenderer } from "./lstm-js.ts";
import {
  type ConvNetModel,
  type LinearModel,
  type NamModel,
  outputChannels,
  prewarmOf,
  type WaveNetModel,
} from "./model.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";
import type { FilmPosition } from "./wavenet-spec.ts";
import type { WaveNetLayer, WaveNetLayerArray } from "./wavenet-weights.ts";

/**
 * Pure TypeScript rendering of every model NAM Core builds, block by block (at most 64 frames,
 * like NAM Core's render), following NAM Core's order of operations. Signals are frame-major
 * ([frame][channel]) Float32Arrays, as NAM Core's column-major Eigen matrices; every stored value
 * is float32 like NAM Core's, sums are formed in double.
 *
 * State is fixed-size: each causal convolution keeps its input history in a linear buffer of
 * lookback + SPAN frames and copies the last lookback frames to the front when it fills up.
 * Every frame's arithmetic is the same whatever the block it falls in, so any split of the input
 * into calls gives exactly the output of one call.
 */

const BLOCK = 64;
const SPAN = 2048;

/** One piece of a model: reads a mono block, writes [n][outChannels]. */
interface Node {
  readonly outChannels: number;
  process(x: Float32Array, xOff: number, n: number, out: Float32Array): void;
  /** Back to the state right after construction (no prewarm). */
  reset(): void;
  readonly bytes: number;
}

class Conv1x1 {
  readonly inCh: number;
  readonly outCh: number;
  private readonly w: Float32Array;
  private readonly bias: Float32Array | null;
  private readonly op: number;
  private readonly ip: number;
  constructor(c: Conv1x1Weights) {
    this.inCh = c.inChannels;
    this.outCh = c.outChannels;
    this.w = c.w;
    this.bias = c.bias;
    this.op = c.outChannels / c.groups;
    this.ip = c.inChannels / c.groups;
  }
  /** out[t][o] = bias[o] + sum_j W[o][j] x[t][j] (within o's group). */
  apply(
    x: Float32Array,
    xOff: number,
    xStride: number,
    n: number,
    out: Float32Array,
    oOff: number,
    oStride: number,
  ) {
    const { w, bias, inCh, outCh, op, ip } = this;
    for (let t = 0; t < n; t++) {
      const xb = xOff + t * xStride;
      const ob = oOff + t * oStride;
      for (let o = 0; o < outCh; o++) {
        let s = bias ? bias[o]! : 0;
        const j0 = op === outCh ? 0 : ((o / op) | 0) * ip;
        const wr = o * inCh;
        for (let j = j0; j < j0 + ip; j++) s += w[wr + j]! * x[xb + j]!;
        out[ob + o] = s;
      }
    }
  }
}

class Conv1D {
  readonly inCh: number;
  readonly outCh: number;
  private readonly K: number;
  private readonly d: number;
  /** Transposed weights [tap][out][in]. */
  private readonly wt: Float32Array;
  private readonly bias: Float32Array | null;
  private readonly op: number;
  private readonly ip: number;
  private readonly lookback: number;
  private readonly frames: number;
  readonly hist: Float32Array;
  private pos: number;
  constructor(c: Conv1DWeights) {
    this.inCh = c.inChannels;
    this.outCh = c.outChannels;
    this.K = c.kernelSize;
    this.d = c.dilation;
    this.bias = c.bias;
    this.op = c.outChannels / c.groups;
    this.ip = c.inChannels / c.groups;
    const { inCh, outCh, K } = this;
    this.wt = new Float32Array(c.w.length);
    for (let o = 0; o < outCh; o++)
      for (let j = 0; j < inCh; j++)
        for (let k = 0; k < K; k++) this.wt[(k * outCh + o) * inCh + j] = c.w[(o * inCh + j) * K + k]!;
    this.lookback = this.d * (K - 1);
    this.frames = this.lookback + SPAN;
    this.hist = new Float32Array(this.frames * inCh);
    this.pos = this.lookback;
  }
  reset(): void {
    this.hist.fill(0);
    this.pos = this.lookback;
  }
  process(
    x: Float32Array,
    xOff: number,
    xStride: number,
    n: number,
    out: Float32Array,
    oOff: number,
    oStride: number,
  ) {
    const { inCh, outCh, K, d, wt, bias, op, ip, hist, lookback } = this;
    if (this.pos + n > this.frames) {
      hist.copyWithin(0, (this.pos - lookback) * inCh, this.pos * inCh);
      this.pos = lookback;
    }
    const pos = this.pos;
    for (let t = 0; t < n; t++) {
      const hb = (pos + t) * inCh;
      const xb = xOff + t * xStride;
      for (let j = 0; j < inCh; j++) hist[hb + j] = x[xb + j]!;
    }
    const span = d * (K - 1);
    for (let t = 0; t < n; t++) {
      const ob = oOff + t * oStride;
      const oldest = (pos + t - span) * inCh;
      for (let o = 0; o < outCh; o++) {
        let s = bias ? bias[o]! : 0;
        const j0 = op === outCh ? 0 : ((o / op) | 0) * ip;
        const j1 = j0 + ip;
        let hb = oldest;
        let wb = o * inCh;
        for (let k = 0; k < K; k++) {
          for (let j = j0; j < j1; j++) s += wt[wb + j]! * hist[hb + j]!;
          hb += d * inCh;
          wb += outCh * inCh;
        }
        out[ob + o] = s;
      }
    }
    this.pos = pos + n;
  }
}

class Film {
  private readonly conv: Conv1x1;
  private readonly dim: number;
  private readonly shift: boolean;
  private readonly ss: Float32Array;
  constructor(f: FilmWeights) {
    this.conv = new Conv1x1(f.conv);
    this.dim = f.dim;
    this.shift = f.shift;
    this.ss = new Float32Array(BLOCK * f.conv.outChannels);
  }
  /** out = x * scale(cond) (+ shift(cond)); out may be x. */
  apply(
    x: Float32Array,
    xOff: number,
    xStride: number,
    cond: Float32Array,
    condStride: number,
    n: number,
    out: Float32Array,
    oOff: number,
    oStride: number,
  ) {
    const rows = this.conv.outCh;
    const { ss, dim, shift } = this;
    this.conv.apply(cond, 0, condStride, n, ss, 0, rows);
    for (let t = 0; t < n; t++) {
      const xb = xOff + t * xStride;
      const ob = oOff + t * oStride;
      const sb = t * rows;
      for (let c = 0; c < dim; c++) {
        out[ob + c] = shift ? x[xb + c]! * ss[sb + c]! + ss[sb + dim + c]! : x[xb + c]! * ss[sb + c]!;
      }
    }
  }
}

class Layer {
  private readonly C: number;
  private readonly B: number;
  private readonly Bg: number;
  private readonly Cc: number;
  readonly headOut: number;
  private readonly gating: WaveNetLayer["gating"];
  private readonly act: Activation;
  private readonly sec: Activation | null;
  private readonly conv: Conv1D;
  private readonly mixin: Conv1x1;
  private readonly layer1x1: Conv1x1 | null;
  private readonly head1x1: Conv1x1 | null;
  private readonly film: Partial<Record<FilmPosition, Film>> = {};
  private readonly convIn: Float32Array;
  private readonly mixIn: Float32Array;
  private readonly z: Float32Array;
  private readonly mix: Float32Array;
  private readonly pre: Float32Array;
  private readonly l1: Float32Array;
  private readonly h1: Float32Array;
  constructor(l: WaveNetLayer, a: WaveNetLayerArray, fast: boolean) {
    this.C = a.channels;
    this.B = a.bottleneck;
    this.Bg = l.gating === "none" ? this.B : 2 * this.B;
    this.Cc = a.conditionSize;
    this.headOut = a.headOutputSize;
    this.gating = l.gating;
    this.act = resolveActivation(l.activation, fast);
    this.sec = l.secondary ? resolveActivation(l.secondary, fast) : null;
    this.conv = new Conv1D(l.conv);
    this.mixin = new Conv1x1(l.mixin);
    this.layer1x1 = l.layer1x1 ? new Conv1x1(l.layer1x1) : null;
    this.head1x1 = l.head1x1 ? new Conv1x1(l.head1x1) : null;
    for (const [p, f] of Object.entries(l.films)) this.film[p as FilmPosition] = new Film(f);
    this.convIn = new Float32Array(BLOCK * this.C);
    this.mixIn = new Float32Array(BLOCK * this.Cc);
    this.z = new Float32Array(BLOCK * this.Bg);
    this.mix = new Float32Array(BLOCK * this.Bg);
    this.pre = new Float32Array(BLOCK * this.B);
    this.l1 = new Float32Array(BLOCK * this.C);
    this.h1 = new Float32Array(BLOCK * (this.head1x1?.outCh ?? 1));
  }
  get bytes(): number {
    return this.conv.hist.byteLength + (this.z.byteLength + this.mix.byteLength) * 2 + this.l1.byteLength * 3;
  }
  reset(): void {
    this.conv.reset();
  }
  /** X [n][C] -> next [n][C]; adds this layer's head output to headAcc [n][headOut]. */
  process(X: Float32Array, cond: Float32Array, n: number, next: Float32Array, headAcc: Float32Array): void {
    const { C, B, Bg, Cc, z, mix, film } = this;
    // 1. the dilated conv (FiLM before and after)
    if (film.conv_pre_film) {
      film.conv_pre_film.apply(X, 0, C, cond, Cc, n, this.convIn, 0, C);
      this.conv.process(this.convIn, 0, C, n, z, 0, Bg);
    } else {
      this.conv.process(X, 0, C, n, z, 0, Bg);
    }
    film.conv_post_film?.apply(z, 0, Bg, cond, Cc, n, z, 0, Bg);
    // 2. the input mixin of the condition (FiLM before and after)
    if (film.input_mixin_pre_film) {
      film.input_mixin_pre_film.apply(cond, 0, Cc, cond, Cc, n, this.mixIn, 0, Cc);
      this.mixin.apply(this.mixIn, 0, Cc, n, mix, 0, Bg);
    } else {
      this.mixin.apply(cond, 0, Cc, n, mix, 0, Bg);
    }
    film.input_mixin_post_film?.apply(mix, 0, Bg, cond, Cc, n, mix, 0, Bg);
    for (let i = 0; i < n * Bg; i++) z[i] = z[i]! + mix[i]!;
    film.activation_pre_film?.apply(z, 0, Bg, cond, Cc, n, z, 0, Bg);
    // 3. activation: plain, gated (act(top) * sec(bottom)) or blended (a mix of act(top) and top)
    if (this.gating === "none") {
      applyActivation(this.act, z, 0, n * B);
    } else {
      const sec = this.sec!;
      const pre = this.pre;
      if (this.gating === "blended")
        for (let t = 0; t < n; t++) for (let c = 0; c < B; c++) pre[t * B + c] = z[t * Bg + c]!;
      for (let t = 0; t < n; t++) {
        applyActivation(this.act, z, t * Bg, B);
        applyActivation(sec, z, t * Bg + B, B);
      }
      for (let t = 0; t < n; t++) {
        const zb = t * Bg;
        if (this.gating === "gated") {
          for (let c = 0; c < B; c++) z[zb + c] = z[zb + c]! * z[zb + B + c]!;
        } else {
          for (let c = 0; c < B; c++) {
            const alpha = z[zb + B + c]!;
            z[zb + c] = alpha * z[zb + c]! + Math.fround(1 - alpha) * pre[t * B + c]!;
          }
        }
      }
    }
    film.activation_post_film?.apply(z, 0, Bg, cond, Cc, n, z, 0, Bg);
    // 4. residual: input + layer1x1(top); NAM Core applies layer1x1_post_film only when blended.
    if (this.layer1x1) {
      this.layer1x1.apply(z, 0, Bg, n, this.l1, 0, C);
      if (this.gating === "blended")
        film.layer1x1_post_film?.apply(this.l1, 0, C, cond, Cc, n, this.l1, 0, C);
      for (let i = 0; i < n * C; i++) next[i] = X[i]! + this.l1[i]!;
    } else {
      next.set(X.subarray(0, n * C));
    }
    // 5. skip to the head: head1x1(top) (FiLM after), or the top rows themselves
    const H = this.headOut;
    if (this.head1x1) {
      this.head1x1.apply(z, 0, Bg, n, this.h1, 0, H);
      film.head1x1_post_film?.apply(this.h1, 0, H, cond, Cc, n, this.h1, 0, H);
      for (let i = 0; i < n * H; i++) headAcc[i] = headAcc[i]! + this.h1[i]!;
    } else {
      for (let t = 0; t < n; t++)
        for (let c = 0; c < H; c++) headAcc[t * H + c] = headAcc[t * H + c]! + z[t * Bg + c]!;
    }
  }
}

class LayerArray {
  readonly a: WaveNetLayerArray;
  private readonly rechannel: Conv1x1;
  private readonly layers: Layer[];
  private readonly head: Conv1D;
  private readonly bufs: [Float32Array, Float32Array];
  /** The last layer's output, [n][channels] (the next array's input). */
  out: Float32Array;
  readonly headAcc: Float32Array;
  readonly headOut: Float32Array;
  constructor(a: WaveNetLayerArray, fast: boolean) {
    this.a = a;
    this.rechannel = new Conv1x1(a.rechannel);
    this.layers = a.layers.map((l) => new Layer(l, a, fast));
    this.head = new Conv1D(a.headRechannel);
    this.bufs = [new Float32Array(BLOCK * a.channels), new Float32Array(BLOCK * a.channels)];
    this.out = this.bufs[0];
    this.headAcc = new Float32Array(BLOCK * a.headOutputSize);
    this.headOut = new Float32Array(BLOCK * a.headSize);
  }
  get bytes(): number {
    return this.layers.reduce((s, l) => s + l.bytes, this.head.hist.byteLength + this.bufs[0].byteLength * 2);
  }
  reset(): void {
    for (const l of this.layers) l.reset();
    this.head.reset();
  }
  process(
    input: Float32Array,
    inOff: number,
    inStride: number,
    cond: Float32Array,
    prevHead: Float32Array | null,
    n: number,
  ) {
    const { a } = this;
    let cur = this.bufs[0];
    let nxt = this.bufs[1];
    this.rechannel.apply(input, inOff, inStride, n, cur, 0, a.channels);
    if (prevHead) this.headAcc.set(prevHead.subarray(0, n * a.headOutputSize));
    else this.headAcc.fill(0, 0, n * a.headOutputSize);
    for (const l of this.layers) {
      l.process(cur, cond, n, nxt, this.headAcc);
      [cur, nxt] = [nxt, cur];
    }
    this.out = cur;
    this.head.process(this.headAcc, 0, a.headOutputSize, n, this.headOut, 0, a.headSize);
  }
}

class WaveNetNode implements Node {
  readonly outChannels: number;
  private readonly m: WaveNetModel;
  private readonly cond: Node | null;
  private readonly condBuf: Float32Array;
  private readonly arrays: LayerArray[];
  private readonly postActs: Activation[];
  private readonly postConvs: Conv1D[];
  private readonly work: Float32Array[];
  constructor(m: WaveNetModel, fast: boolean) {
    this.m = m;
    this.outChannels = m.outChannels;
    this.cond = m.conditionDsp ? buildNode(m.conditionDsp, fast) : null;
    this.condBuf = new Float32Array(BLOCK * (this.cond ? this.cond.outChannels : 1));
    this.arrays = m.layerArrays.map((a) => new LayerArray(a, fast));
    this.postActs = m.postHead ? m.postHead.activations.map((a) => resolveActivation(a, fast)) : [];
    this.postConvs = m.postHead ? m.postHead.convs.map((c) => new Conv1D(c)) : [];
    const lastHead = m.layerArrays[m.layerArrays.length - 1]!.headSize;
    this.work = [lastHead, ...this.postConvs.map((c) => c.outCh)].map((w) => new Float32Array(BLOCK * w));
  }
  get bytes(): number {
    return this.arrays.reduce((s, a) => s + a.bytes, this.cond?.bytes ?? 0);
  }
  reset(): void {
    this.cond?.reset();
    for (const a of this.arrays) a.reset();
    for (const c of this.postConvs) c.reset();
  }
  process(x: Float32Array, xOff: number, n: number, out: Float32Array): void {
    const cond = this.condBuf;
    if (this.cond) this.cond.process(x, xOff, n, cond);
    else cond.set(x.subarray(xOff, xOff + n));
    let prev: LayerArray | null = null;
    for (const a of this.arrays) {
      if (prev) a.process(prev.out, 0, prev.a.channels, cond, prev.headOut, n);
      else a.process(x, xOff, 1, cond, null, n);
      prev = a;
    }
    const last = prev!;
    const scale = this.m.headScale;
    const hs = last.a.headSize;
    if (this.postConvs.length === 0) {
      for (let i = 0; i < n * hs; i++) out[i] = scale * last.headOut[i]!;
      return;
    }
    const w0 = this.work[0]!;
    for (let i = 0; i < n * hs; i++) w0[i] = scale * last.headOut[i]!;
    this.postConvs.forEach((c, i) => {
      const src = this.work[i]!;
      applyActivation(this.postActs[i]!, src, 0, n * c.inCh);
      c.process(src, 0, c.inCh, n, this.work[i + 1]!, 0, c.outCh);
    });
    out.set(this.work[this.work.length - 1]!.subarray(0, n * this.outChannels));
  }
}

class ConvNetNode implements Node {
  readonly outChannels = 1;
  private readonly m: ConvNetModel;
  private readonly act: Activation;
  private readonly convs: Conv1D[];
  private readonly bufs: Float32Array[];
  constructor(m: ConvNetModel, fast: boolean) {
    this.m = m;
    this.act = resolveActivation(m.activation, fast);
    this.convs = m.blocks.map((b) => new Conv1D(b.conv));
    this.bufs = [new Float32Array(BLOCK * m.channels), new Float32Array(BLOCK * m.channels)];
  }
  get bytes(): number {
    return this.convs.reduce((s, c) => s + c.hist.byteLength, 0);
  }
  reset(): void {
    for (const c of this.convs) c.reset();
  }
  process(x: Float32Array, xOff: number, n: number, out: Float32Array): void {
    const C = this.m.channels;
    const f = Math.fround;
    let src: Float32Array = x;
    let srcOff = xOff;
    let srcStride = 1;
    this.m.blocks.forEach((b, i) => {
      const dst = this.bufs[i % 2]!;
      this.convs[i]!.process(src, srcOff, srcStride, n, dst, 0, C);
      if (b.batchnorm) {
        const { scale, loc } = b.batchnorm;
        for (let t = 0; t < n; t++)
          for (let c = 0; c < C; c++) dst[t * C + c] = f(dst[t * C + c]! * scale[c]!) + loc[c]!;
      }
      applyActivation(this.act, dst, 0, n * C);
      src = dst;
      srcOff = 0;
      srcStride = C;
    });
    const hw = this.m.headWeight;
    for (let t = 0; t < n; t++) {
      let s = this.m.headBias;
      for (let c = 0; c < C; c++) s += hw[c]! * src[t * C + c]!;
      out[t] = s;
    }
  }
}

class LinearNode implements Node {
  readonly outChannels = 1;
  private readonly w: Float32Array;
  private readonly bias: number;
  private readonly lookback: number;
  private readonly hist: Float32Array;
  private pos: number;
  constructor(m: LinearModel) {
    this.w = m.impulse;
    this.bias = m.bias;
    this.lookback = m.receptiveField - 1;
    this.hist = new Float32Array(this.lookback + SPAN);
    this.pos = this.lookback;
  }
  get bytes(): number {
    return this.hist.byteLength + this.w.byteLength;
  }
  reset(): void {
    this.hist.fill(0);
    this.pos = this.lookback;
  }
  process(x: Float32Array, xOff: number, n: number, out: Float32Array): void {
    const { hist, w, lookback } = this;
    if (this.pos + n > hist.length) {
      hist.copyWithin(0, this.pos - lookback, this.pos);
      this.pos = lookback;
    }
    const pos = this.pos;
    hist.set(x.subarray(xOff, xOff + n), pos);
    const K = w.length;
    for (let t = 0; t < n; t++) {
      let s = this.bias;
      const now = pos + t;
      for (let k = 0; k < K; k++) s += w[k]! * hist[now - k]!;
      out[t] = s;
    }
    this.pos = pos + n;
  }
}

/** A recurrent model as a node: the LSTM renderer (its reset prewarms it, which is its steady state). */
class RendererNode implements Node {
  readonly outChannels = 1;
  private readonly r: NamRenderer;
  constructor(r: NamRenderer) {
    this.r = r;
  }
  get bytes(): number {
    return this.r.memoryBytes;
  }
  reset(): void {
    this.r.reset();
  }
  process(x: Float32Array, xOff: number, n: number, out: Float32Array): void {
    this.r.process(x.subarray(xOff, xOff + n), out);
  }
}

function buildNode(model: NamModel, fast: boolean): Node {
  switch (model.architecture) {
    case "WaveNet":
      return new WaveNetNode(model, fast);
    case "ConvNet":
      return new ConvNetNode(model, fast);
    case "Linear":
      return new LinearNode(model);
    case "LSTM":
      return new RendererNode(createLstmJsRenderer(model, { fastTanh: fast }));
    case "SlimmableContainer":
      return buildNode(model.submodels[model.submodels.length - 1]!.model, fast);
  }
}

/** The pure-TS renderer for any mono model (a SlimmableContainer renders its full-size submodel). */
export function createGraphJsRenderer(model: NamModel, options: NamRendererOptions = {}): NamRenderer {
  const node = buildNode(model, options.fastTanh ?? false);
  if (outputChannels(model) !== 1) throw new RangeError("only mono models render");
  const tmp = new Float32Array(BLOCK);
  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let off = 0; off < input.length; off += BLOCK) {
      const n = Math.min(BLOCK, input.length - off);
      node.process(input, off, n, tmp);
      output.set(tmp.subarray(0, n), off);
    }
  }
  const prewarmSamples = Math.ceil(prewarmOf(model) / BLOCK) * BLOCK;
  const zeros = new Float32Array(BLOCK);
  const sink = new Float32Array(BLOCK);
  function reset(): void {
    node.reset();
    for (let i = 0; i < prewarmSamples; i += BLOCK) process(zeros, sink);
  }
  reset();
  return {
    backend: "js",
    sampleRate: model.sampleRate,
    prewarmSamples,
    memoryBytes: node.bytes,
    process,
    reset,
  };
}
