/**
 * RBJ "Audio EQ Cookbook" biquads (Robert Bristow-Johnson), direct form I in double precision.
 */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function normalize(
  b0: number,
  b1: number,
  b2: number,
  a0: number,
  a1: number,
  a2: number,
): BiquadCoefficients {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

function check(freq: number, sampleRate: number): number {
  if (!(freq > 0 && freq < sampleRate / 2))
    throw new RangeError(`filter frequency ${freq} Hz is out of range`);
  return (2 * Math.PI * freq) / sampleRate;
}

export function highPass(freq: number, sampleRate: number, q = Math.SQRT1_2): BiquadCoefficients {
  const w0 = check(freq, sampleRate);
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  return normalize((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
}

export function lowPass(freq: number, sampleRate: number, q = Math.SQRT1_2): BiquadCoefficients {
  const w0 = check(freq, sampleRate);
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  return normalize((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
}

/** High shelf with gain `gainDb` above `freq` and shelf slope S (1 = steepest without overshoot). */
export function highShelf(freq: number, sampleRate: number, gainDb: number, slope = 1): BiquadCoefficients {
  const w0 = check(freq, sampleRate);
  const A = 10 ** (gainDb / 40);
  const cos = Math.cos(w0);
  const alpha = (Math.sin(w0) / 2) * Math.sqrt((A + 1 / A) * (1 / slope - 1) + 2);
  const sq = 2 * Math.sqrt(A) * alpha;
  return normalize(
    A * (A + 1 + (A - 1) * cos + sq),
    -2 * A * (A - 1 + (A + 1) * cos),
    A * (A + 1 + (A - 1) * cos - sq),
    A + 1 - (A - 1) * cos + sq,
    2 * (A - 1 - (A + 1) * cos),
    A + 1 - (A - 1) * cos - sq,
  );
}

/** |H(e^jw)| of a biquad at `freq`, computed from the coefficients. */
export function biquadMagnitude(c: BiquadCoefficients, freq: number, sampleRate: number): number {
  const w = (2 * Math.PI * freq) / sampleRate;
  const re = (z: number) => Math.cos(z * w);
  const im = (z: number) => -Math.sin(z * w);
  const nr = c.b0 + c.b1 * re(1) + c.b2 * re(2);
  const ni = c.b1 * im(1) + c.b2 * im(2);
  const dr = 1 + c.a1 * re(1) + c.a2 * re(2);
  const di = c.a1 * im(1) + c.a2 * im(2);
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}

/** A streaming biquad: state carries across `process` calls. */
export class Biquad {
  private readonly c: BiquadCoefficients;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(coefficients: BiquadCoefficients) {
    this.c = coefficients;
  }

  /** Filter `input` into `output` (may be the same array). */
  process(input: Float32Array, output: Float32Array = input): Float32Array {
    const { b0, b1, b2, a1, a2 } = this.c;
    let { x1, x2, y1, y2 } = this;
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      output[i] = y;
    }
    this.x1 = x1;
    this.x2 = x2;
    // Flush denormals so a long silence does not slow the filter down.
    this.y1 = Math.abs(y1) < 1e-30 ? 0 : y1;
    this.y2 = Math.abs(y2) < 1e-30 ? 0 : y2;
    return output;
  }

  reset(): void {
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }
}
