import { AudioError } from "../errors.ts";

/**
 * The weight-holding pieces NAM Core builds its models from, unpacked from the flat `weights`
 * list in NAM Core's order. Grouped convolutions are expanded to dense (block-diagonal) matrices
 * so every consumer reads one layout; `groups` is kept so kernels can skip the zero blocks.
 */

/** Causal dilated convolution. `w` is [out][in][tap] (tap 0 = oldest), as NAM's export flattens it. */
export interface Conv1DWeights {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  dilation: number;
  groups: number;
  w: Float32Array;
  bias: Float32Array | null;
}

/** 1x1 convolution: `w` is [out][in] row-major. */
export interface Conv1x1Weights {
  inChannels: number;
  outChannels: number;
  groups: number;
  w: Float32Array;
  bias: Float32Array | null;
}

/** FiLM: a 1x1 conv maps the condition to a scale (and a shift) per channel of the modulated signal. */
export interface FilmWeights {
  /** Channels of the signal it modulates. */
  dim: number;
  shift: boolean;
  conv: Conv1x1Weights;
}

export function invalidNam(path: string, message: string): AudioError {
  return new AudioError("INVALID_NAM", path ? `${path}: ${message}` : message);
}

/**
 * Reads the flat weight list in order. It counts past the end instead of failing, so one pass over
 * a config can both count what the config needs and, when the count is right, read it.
 */
export class WeightReader {
  private pos = 0;
  private readonly w: ArrayLike<number>;
  constructor(w: ArrayLike<number>) {
    this.w = w;
  }
  get position(): number {
    return this.pos;
  }
  get overrun(): boolean {
    return this.pos > this.w.length;
  }
  take(n: number): Float32Array {
    const out = new Float32Array(n);
    const avail = Math.max(0, Math.min(n, this.w.length - this.pos));
    for (let i = 0; i < avail; i++) out[i] = this.w[this.pos + i]!;
    this.pos += n;
    return out;
  }
  one(): number {
    return this.take(1)[0]!;
  }
}

function checkGroups(path: string, inCh: number, outCh: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw invalidNam(path, `groups must be a positive integer`);
  if (inCh % groups !== 0 || outCh % groups !== 0) {
    throw invalidNam(
      path,
      `groups (${groups}) must divide both the input channels (${inCh}) and the output channels (${outCh})`,
    );
  }
}

export function readConv1D(
  r: WeightReader,
  path: string,
  inChannels: number,
  outChannels: number,
  kernelSize: number,
  dilation: number,
  bias: boolean,
  groups = 1,
): Conv1DWeights {
  checkGroups(path, inChannels, outChannels, groups);
  const K = kernelSize;
  const w = new Float32Array(outChannels * inChannels * K);
  const op = outChannels / groups;
  const ip = inChannels / groups;
  for (let g = 0; g < groups; g++)
    for (let i = 0; i < op; i++)
      for (let j = 0; j < ip; j++) {
        const taps = r.take(K);
        w.set(taps, ((g * op + i) * inChannels + g * ip + j) * K);
      }
  return {
    inChannels,
    outChannels,
    kernelSize,
    dilation,
    groups,
    w,
    bias: bias ? r.take(outChannels) : null,
  };
}

export function readConv1x1(
  r: WeightReader,
  path: string,
  inChannels: number,
  outChannels: number,
  bias: boolean,
  groups = 1,
): Conv1x1Weights {
  checkGroups(path, inChannels, outChannels, groups);
  const w = new Float32Array(outChannels * inChannels);
  const op = outChannels / groups;
  const ip = inChannels / groups;
  for (let g = 0; g < groups; g++)
    for (let i = 0; i < op; i++) w.set(r.take(ip), (g * op + i) * inChannels + g * ip);
  return { inChannels, outChannels, groups, w, bias: bias ? r.take(outChannels) : null };
}

export function readFilm(
  r: WeightReader,
  path: string,
  conditionSize: number,
  dim: number,
  shift: boolean,
  groups: number,
): FilmWeights {
  return { dim, shift, conv: readConv1x1(r, path, conditionSize, (shift ? 2 : 1) * dim, true, groups) };
}
