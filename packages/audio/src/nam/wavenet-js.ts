import { type Activation, applyActivation, resolveActivation, sigmoid } from "./activations.ts";
import type { PlainWaveNet } from "./plain-wavenet.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";

/**
 * Pure TypeScript plain WaveNet (A1 and A2's WaveNets with a kernel-1 head), block by block. It is the reference the WebAssembly kernel is checked
 * against and the fallback where WebAssembly SIMD is missing.
 *
 * Memory is fixed: every layer keeps its input history in one linear time-major buffer
 * ([frame][channel]) of `lookback + SPAN` frames; when the write position reaches the end, the last
 * `lookback` frames are copied to the front ("rewind"), so the conv taps always read contiguous memory.
 */

const BLOCK = 64;
const SPAN = 4096;

interface PreparedLayer {
  dilation: number;
  K: number;
  activation: Activation;
  /** Pre-transposed conv weights [tap][out][in]. */
  wt: Float32Array;
  bias: Float32Array;
  mixin: Float32Array;
  out1x1: Float32Array;
  out1x1Bias: Float32Array;
  /** Input history of this layer, (lookback + SPAN) x channels. */
  hist: Float32Array;
}

interface PreparedArray {
  C: number;
  convOut: number;
  gated: boolean;
  inputSize: number;
  headSize: number;
  rechannel: Float32Array;
  layers: PreparedLayer[];
  headRechannel: Float32Array;
  headRechannelBias: Float32Array | null;
  /** Head accumulator for one block, BLOCK x C. */
  headAcc: Float32Array;
  /** Head output for one block, BLOCK x headSize. */
  headOut: Float32Array;
  /** Output of the last layer for one block, BLOCK x C (input of the next array). */
  out: Float32Array;
}

/** z[t][o] = bias[o] + mixin[o] * cond[t] + sum over taps k and inputs j of W[k][o][j] X[t - d(K-1-k)][j] */
function dilatedConv(
  X: Float32Array,
  wt: Float32Array,
  bias: Float32Array,
  mixin: Float32Array,
  cond: Float32Array,
  condOff: number,
  z: Float32Array,
  pos: number,
  n: number,
  C: number,
  convOut: number,
  K: number,
  d: number,
): void {
  for (let t = 0; t < n; t++) {
    const c = cond[condOff + t]!;
    const zb = t * convOut;
    for (let o = 0; o < convOut; o++) {
      let s = bias[o]! + mixin[o]! * c;
      for (let k = 0; k < K; k++) {
        const xb = (pos + t - d * (K - 1 - k)) * C;
        const wo = (k * convOut + o) * C;
        for (let j = 0; j < C; j++) s += wt[wo + j]! * X[xb + j]!;
      }
      z[zb + o] = s;
    }
  }
}

/** next[t] = X[t] + b1 + W1 z[t] */
function residual(
  X: Float32Array,
  W1: Float32Array,
  b1: Float32Array,
  z: Float32Array,
  next: Float32Array,
  pos: number,
  nextBase: number,
  n: number,
  C: number,
  convOut: number,
): void {
  for (let t = 0; t < n; t++) {
    const zb = t * convOut;
    const xb = (pos + t) * C;
    const ob = (nextBase + t) * C;
    for (let c = 0; c < C; c++) {
      let s = X[xb + c]! + b1[c]!;
      const wr = c * C;
      for (let j = 0; j < C; j++) s += W1[wr + j]! * z[zb + j]!;
      next[ob + c] = s;
    }
  }
}

export function createWaveNetJsRenderer(model: PlainWaveNet, options: NamRendererOptions = {}): NamRenderer {
  const fast = options.fastTanh ?? false;
  let lookback = 0;
  for (const a of model.layerArrays) {
    if (a.headKernelSize !== 1) throw new RangeError("this renderer takes kernel-1 heads only");
    for (const l of a.layers) lookback = Math.max(lookback, l.dilation * (l.kernelSize - 1));
  }
  const frames = lookback + SPAN;
  const arrays: PreparedArray[] = model.layerArrays.map((a) => {
    const C = a.channels;
    const convOut = a.gated ? 2 * C : C;
    return {
      C,
      convOut,
      gated: a.gated,
      inputSize: a.inputSize,
      headSize: a.headSize,
      rechannel: a.rechannel,
      layers: a.layers.map((l) => {
        const K = l.kernelSize;
        const wt = new Float32Array(l.conv.length);
        for (let o = 0; o < convOut; o++)
          for (let j = 0; j < C; j++)
            for (let k = 0; k < K; k++) wt[(k * convOut + o) * C + j] = l.conv[(o * C + j) * K + k]!;
        return {
          dilation: l.dilation,
          K,
          activation: resolveActivation(l.activation, fast),
          wt,
          bias: l.convBias,
          mixin: l.mixin,
          out1x1: l.out1x1,
          out1x1Bias: l.out1x1Bias,
          hist: new Float32Array(frames * C),
        };
      }),
      headRechannel: a.headRechannel,
      headRechannelBias: a.headRechannelBias,
      headAcc: new Float32Array(BLOCK * C),
      headOut: new Float32Array(BLOCK * a.headSize),
      out: new Float32Array(BLOCK * C),
    };
  });
  const maxConvOut = Math.max(...arrays.map((a) => a.convOut));
  const z = new Float32Array(BLOCK * maxConvOut);
  let pos = lookback;

  function rewind(): void {
    for (const a of arrays) {
      for (const l of a.layers) l.hist.copyWithin(0, (pos - lookback) * a.C, pos * a.C);
    }
    pos = lookback;
  }

  function processBlock(x: Float32Array, xOff: number, y: Float32Array, yOff: number, n: number): void {
    if (pos + n > frames) rewind();
    for (let ai = 0; ai < arrays.length; ai++) {
      const a = arrays[ai]!;
      const { C, convOut, layers } = a;
      const last = ai === arrays.length - 1;
      // Rechannel the array input into the first layer's history.
      const h0 = layers[0]!.hist;
      if (ai === 0) {
        for (let t = 0; t < n; t++) {
          const v = x[xOff + t]!;
          const base = (pos + t) * C;
          for (let c = 0; c < C; c++) h0[base + c] = a.rechannel[c]! * v;
        }
      } else {
        const prev = arrays[ai - 1]!;
        const inp = prev.out;
        const I = a.inputSize;
        for (let t = 0; t < n; t++) {
          const base = (pos + t) * C;
          for (let c = 0; c < C; c++) {
            let s = 0;
            for (let j = 0; j < I; j++) s += a.rechannel[c * I + j]! * inp[t * I + j]!;
            h0[base + c] = s;
          }
        }
      }
      // Head accumulator starts at zero, or at the previous array's head output.
      if (ai === 0) a.headAcc.fill(0, 0, n * C);
      else a.headAcc.set(arrays[ai - 1]!.headOut.subarray(0, n * C));

      for (let li = 0; li < layers.length; li++) {
        const L = layers[li]!;
        const X = L.hist;
        const d = L.dilation;
        const { wt, bias, mixin, K } = L;
        // z = conv(X) + bias + mixin * condition
        dilatedConv(X, wt, bias, mixin, x, xOff, z, pos, n, C, convOut, K, d);
        if (a.gated) {
          for (let t = 0; t < n; t++) {
            const zb = t * convOut;
            applyActivation(L.activation, z, zb, C);
            for (let c = 0; c < C; c++) z[zb + c] = z[zb + c]! * sigmoid(z[zb + C + c]!);
          }
        } else {
          applyActivation(L.activation, z, 0, n * convOut);
        }
        const acc = a.headAcc;
        for (let t = 0; t < n; t++) {
          const zb = t * convOut;
          for (let c = 0; c < C; c++) acc[t * C + c]! += z[zb + c]!;
        }
        // The residual output of the very last layer feeds nothing.
        const isLastLayer = li === layers.length - 1;
        if (isLastLayer && last) continue;
        const W1 = L.out1x1;
        const b1 = L.out1x1Bias;
        const next = isLastLayer ? a.out : layers[li + 1]!.hist;
        const nextBase = isLastLayer ? 0 : pos;
        residual(X, W1, b1, z, next, pos, nextBase, n, C, convOut);
      }
      // Head rechannel.
      const H = a.headSize;
      const HR = a.headRechannel;
      const hb = a.headRechannelBias;
      for (let t = 0; t < n; t++) {
        for (let h = 0; h < H; h++) {
          let s = hb ? hb[h]! : 0;
          for (let c = 0; c < C; c++) s += HR[h * C + c]! * a.headAcc[t * C + c]!;
          a.headOut[t * H + h] = s;
        }
      }
    }
    const outArr = arrays[arrays.length - 1]!;
    const scale = model.headScale;
    for (let t = 0; t < n; t++) y[yOff + t] = scale * outArr.headOut[t]!;
    pos += n;
  }

  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let off = 0; off < input.length; off += BLOCK) {
      processBlock(input, off, output, off, Math.min(BLOCK, input.length - off));
    }
  }

  const prewarmSamples = Math.ceil(model.receptiveField / BLOCK) * BLOCK;
  function reset(): void {
    for (const a of arrays) for (const l of a.layers) l.hist.fill(0);
    pos = lookback;
    const zeros = new Float32Array(prewarmSamples);
    process(zeros, new Float32Array(prewarmSamples));
  }
  reset();

  let memoryBytes = z.byteLength;
  for (const a of arrays) {
    memoryBytes += a.headAcc.byteLength + a.headOut.byteLength + a.out.byteLength + a.rechannel.byteLength;
    for (const l of a.layers) memoryBytes += l.hist.byteLength + l.wt.byteLength + l.out1x1.byteLength;
  }
  return { backend: "js", sampleRate: model.sampleRate, prewarmSamples, memoryBytes, process, reset };
}
