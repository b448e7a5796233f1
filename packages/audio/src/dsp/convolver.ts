import { AudioError } from "../errors.ts";
import { RealFft } from "./fft.ts";

/**
 * Uniformly partitioned overlap-save FFT convolution (UPOLS).
 *
 * The IR is cut into P partitions of B samples; each is transformed once (FFT size 2B). Every block of
 * B input samples is transformed together with the previous block, pushed into a frequency-domain
 * delay line, multiplied with the partition spectra and summed; one inverse FFT per block gives B
 * output samples. Cost per sample is O(log B + P) instead of O(IR length).
 *
 * Streaming: `process` takes any chunk sizes; the output lags the input by `latency` (= B) samples.
 * `convolve()` below compensates that for whole signals.
 */
export class PartitionedConvolver {
  readonly blockSize: number;
  readonly latency: number;
  private readonly fft: RealFft;
  private readonly partitions: Float64Array[];
  /** Frequency-domain delay line of input spectra, newest at `fdlHead`. */
  private readonly fdl: Float64Array[];
  private fdlHead = 0;
  private readonly window: Float64Array; // last 2B input samples
  private readonly acc: Float64Array;
  private readonly timeOut: Float64Array;
  private readonly inBlock: Float32Array;
  private readonly outBlock: Float32Array;
  private fill = 0;

  constructor(ir: Float32Array, blockSize = 512) {
    if (ir.length === 0) throw new AudioError("INVALID_ARGUMENT", "impulse response is empty");
    if (!ir.every(Number.isFinite))
      throw new AudioError("INVALID_ARGUMENT", "impulse response is not finite");
    const B = blockSize;
    this.blockSize = B;
    this.latency = B;
    this.fft = new RealFft(2 * B);
    const P = Math.ceil(ir.length / B);
    this.partitions = [];
    for (let p = 0; p < P; p++) {
      const spec = new Float64Array(2 * B + 2);
      this.fft.forward(ir.subarray(p * B, Math.min(ir.length, (p + 1) * B)), spec);
      this.partitions.push(spec);
    }
    this.fdl = Array.from({ length: P }, () => new Float64Array(2 * B + 2));
    this.window = new Float64Array(2 * B);
    this.acc = new Float64Array(2 * B + 2);
    this.timeOut = new Float64Array(2 * B);
    this.inBlock = new Float32Array(B);
    this.outBlock = new Float32Array(B);
  }

  private runBlock(): void {
    const B = this.blockSize;
    const w = this.window;
    w.copyWithin(0, B);
    for (let i = 0; i < B; i++) w[B + i] = this.inBlock[i]!;
    const P = this.partitions.length;
    this.fdlHead = (this.fdlHead + P - 1) % P;
    this.fft.forward(w, this.fdl[this.fdlHead]!);
    const acc = this.acc;
    acc.fill(0);
    for (let p = 0; p < P; p++) {
      const x = this.fdl[(this.fdlHead + p) % P]!;
      const h = this.partitions[p]!;
      for (let k = 0; k < 2 * B + 2; k += 2) {
        const xr = x[k]!;
        const xi = x[k + 1]!;
        const hr = h[k]!;
        const hi = h[k + 1]!;
        acc[k]! += xr * hr - xi * hi;
        acc[k + 1]! += xr * hi + xi * hr;
      }
    }
    this.fft.inverse(acc, this.timeOut);
    // Overlap-save: the second half is the valid linear convolution of the newest block.
    for (let i = 0; i < B; i++) this.outBlock[i] = this.timeOut[B + i]!;
  }

  /** Stream `input` through; `output[i]` is the convolution at time (i - latency). */
  process(input: Float32Array, output: Float32Array): void {
    const B = this.blockSize;
    for (let i = 0; i < input.length; i++) {
      output[i] = this.outBlock[this.fill]!;
      this.inBlock[this.fill] = input[i]!;
      if (++this.fill === B) {
        this.runBlock();
        this.fill = 0;
      }
    }
  }

  reset(): void {
    for (const f of this.fdl) f.fill(0);
    this.window.fill(0);
    this.inBlock.fill(0);
    this.outBlock.fill(0);
    this.fill = 0;
  }
}

/**
 * Convolve a whole signal with an IR. Output length is the input length, plus the IR's tail
 * (ir.length - 1) when `tail` is true. Matches direct convolution to float rounding. With
 * `inPlace` (and no tail) the result overwrites `signal`: each output sample is written only after
 * the input it lands on has been read, so a long signal is not held twice.
 */
export function convolve(
  signal: Float32Array,
  ir: Float32Array,
  options: { tail?: boolean; blockSize?: number; inPlace?: boolean } = {},
): Float32Array {
  const B = options.blockSize ?? (ir.length <= 256 ? 128 : 512);
  const conv = new PartitionedConvolver(ir, B);
  const outLength = signal.length + (options.tail ? ir.length - 1 : 0);
  const total = outLength + conv.latency;
  const out = options.inPlace && !options.tail ? signal : new Float32Array(outLength);
  const chunk = new Float32Array(8192);
  const res = new Float32Array(8192);
  for (let off = 0; off < total; off += chunk.length) {
    const n = Math.min(chunk.length, total - off);
    const inp = chunk.subarray(0, n);
    for (let i = 0; i < n; i++) inp[i] = off + i < signal.length ? signal[off + i]! : 0;
    conv.process(inp, res.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const t = off + i - conv.latency;
      if (t >= 0 && t < outLength) out[t] = res[i]!;
    }
  }
  return out;
}
