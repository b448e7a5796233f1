import FFT from "fft.js";

/**
 * Real FFT helper over fft.js (radix-4, power-of-two sizes). Spectra are interleaved complex
 * [re0, im0, re1, im1, ...] for bins 0..N/2 (N + 2 numbers).
 */
export class RealFft {
  readonly size: number;
  private readonly fft: FFT;
  private readonly full: number[];
  private readonly time: number[];

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError("FFT size must be a power of two >= 4");
    this.size = size;
    this.fft = new FFT(size);
    this.full = this.fft.createComplexArray() as number[];
    this.time = this.fft.createComplexArray() as number[];
  }

  /** Forward transform of `input` (zero-padded to size) into `spectrum` (length size + 2). */
  forward(input: ArrayLike<number>, spectrum: Float64Array): void {
    const n = this.size;
    const buf = this.time;
    for (let i = 0; i < n; i++) buf[i] = i < input.length ? input[i]! : 0;
    buf.length = n;
    this.fft.realTransform(this.full, buf);
    for (let i = 0; i < n + 2; i++) spectrum[i] = this.full[i]!;
  }

  /** Inverse of a half spectrum (bins 0..N/2) into `out` (length size), scaled by 1/N. */
  inverse(spectrum: Float64Array, out: Float64Array): void {
    const n = this.size;
    const full = this.full;
    for (let i = 0; i < n + 2; i++) full[i] = spectrum[i]!;
    for (let k = n / 2 + 1; k < n; k++) {
      full[2 * k] = spectrum[2 * (n - k)]!;
      full[2 * k + 1] = -spectrum[2 * (n - k) + 1]!;
    }
    const time = this.time;
    time.length = 2 * n;
    this.fft.inverseTransform(time, full);
    for (let i = 0; i < n; i++) out[i] = time[2 * i]!;
  }
}
