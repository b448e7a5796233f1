import { fastSigmoid, fastTanh, sigmoid } from "./activations.ts";
import type { LstmModel } from "./model.ts";
import type { NamRenderer, NamRendererOptions } from "./renderer-types.ts";

/** NAM Core prewarms an LSTM with 0.5 s of zeros, rounded up to whole 64-sample blocks. */
export function lstmPrewarmSamples(sampleRate: number): number {
  return Math.ceil((0.5 * sampleRate) / 64) * 64;
}

/** LSTM, sample by sample like NAM Core (the recurrence allows nothing else). */
export function createLstmJsRenderer(model: LstmModel, options: NamRendererOptions = {}): NamRenderer {
  const fast = options.fastTanh ?? false;
  const H = model.hiddenSize;
  const layers = model.layers.map((l) => ({
    inputSize: l.inputSize,
    w: l.w,
    b: l.b,
    h0: l.h0,
    c0: l.c0,
    /** [input..., h...] of this layer */
    xh: new Float64Array(l.inputSize + H),
    c: new Float64Array(H),
    ifgo: new Float64Array(4 * H),
  }));
  const hw = model.headWeight;
  const hb = model.headBias;
  const sig = fast ? fastSigmoid : sigmoid;
  const th = fast ? fastTanh : Math.tanh;

  function step(x: number): number {
    let input: Float64Array | null = null;
    let inputOffset = 0;
    for (let li = 0; li < layers.length; li++) {
      const L = layers[li]!;
      const I = L.inputSize;
      const xh = L.xh;
      if (input === null) xh[0] = x;
      else for (let j = 0; j < I; j++) xh[j] = input[inputOffset + j]!;
      const cols = I + H;
      const { w, b, ifgo, c } = L;
      for (let r = 0; r < 4 * H; r++) {
        let s = b[r]!;
        const wr = r * cols;
        for (let j = 0; j < cols; j++) s += w[wr + j]! * xh[j]!;
        ifgo[r] = s;
      }
      for (let i = 0; i < H; i++) {
        c[i] = sig(ifgo[H + i]!) * c[i]! + sig(ifgo[i]!) * th(ifgo[2 * H + i]!);
      }
      for (let i = 0; i < H; i++) xh[I + i] = sig(ifgo[3 * H + i]!) * th(c[i]!);
      input = xh;
      inputOffset = I;
    }
    const last = layers[layers.length - 1]!;
    let y = hb;
    for (let i = 0; i < H; i++) y += hw[i]! * last.xh[last.inputSize + i]!;
    return y;
  }

  function process(input: Float32Array, output: Float32Array): void {
    if (output.length < input.length) throw new RangeError("output is shorter than input");
    for (let i = 0; i < input.length; i++) output[i] = step(input[i]!);
  }

  const prewarmSamples = lstmPrewarmSamples(model.sampleRate);
  function reset(): void {
    for (const L of layers) {
      L.xh.fill(0);
      for (let i = 0; i < H; i++) {
        L.xh[L.inputSize + i] = L.h0[i]!;
        L.c[i] = L.c0[i]!;
      }
    }
    for (let i = 0; i < prewarmSamples; i++) step(0);
  }
  reset();

  const memoryBytes = layers.reduce(
    (n, l) => n + l.w.byteLength + l.xh.byteLength + l.c.byteLength + l.ifgo.byteLength,
    0,
  );
  return { backend: "js", sampleRate: model.sampleRate, prewarmSamples, memoryBytes, process, reset };
}
