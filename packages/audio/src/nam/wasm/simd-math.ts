import type { Activation } from "../activations.ts";

/**
 * WAT snippets for vectorised (f32x4) activations, emitted inline by the kernel generator.
 * Each snippet reads and writes one v128 local in place, using a few scratch locals
 * ($s0..$s5, declared by the caller).
 *
 * Accuracy: `exp` (for sigmoid) is Cephes' expf (Cody-Waite range reduction + degree-5 minimax
 * polynomial, ~1 ulp). tanh: see tanhInPlace.
 */

export const SCRATCH_LOCALS = ["$s0", "$s1", "$s2", "$s3", "$s4", "$s5", "$s6"] as const;

/**
 * Where generated kernels keep their vector constants: V8 builds a v128.const in a register with
 * three instructions (a 64-bit immediate load, a move and a shuffle) at every use, which was about
 * half of a tanh; a load from memory is one. Every generator allocates its own buffers from
 * CONST_POOL_END up, so the pool sits at the same addresses in every kernel.
 */
export const CONST_POOL_START = 64;
const CONST_POOL_SIZE = 64;
export const CONST_POOL_END = CONST_POOL_START + CONST_POOL_SIZE * 16;

export class Madd {
  readonly relaxed: boolean;
  readonly #constants = new Map<number, number>();
  constructor(relaxed: boolean) {
    this.relaxed = relaxed;
  }
  /** The splatted float32 `v` as a load from the kernel's constant pool. */
  k(v: number): string {
    const x = Math.fround(v);
    // Keyed by bits so that -0 and NaN are their own entries.
    const bits = new Uint32Array(Float32Array.of(x).buffer)[0]!;
    let i = this.#constants.get(bits);
    if (i === undefined) {
      i = this.#constants.size;
      if (i >= CONST_POOL_SIZE) throw new Error("kernel constant pool is full");
      this.#constants.set(bits, i);
    }
    return `(v128.load offset=${CONST_POOL_START + i * 16} (i32.const 0))`;
  }
  /** The pool's contents, to be written at CONST_POOL_START with the kernel's other data. */
  constants(): [number, Float32Array] {
    const data = new Float32Array(this.#constants.size * 4);
    const u = new Uint32Array(data.buffer);
    for (const [bits, i] of this.#constants) u.fill(bits, i * 4, i * 4 + 4);
    return [CONST_POOL_START, data];
  }
  /** a * b + c */
  emit(a: string, b: string, c: string): string {
    return this.relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
  }
}

const g = (l: string) => `(local.get ${l})`;
const set = (l: string, e: string) => `(local.set ${l} ${e})`;

/** dst = exp(src), src already clamped to about [-87, 87]. Uses $s3..$s5 (src must not be one). */
function expInto(dst: string, src: string, m: Madd): string[] {
  const [n, r, p] = ["$s3", "$s4", "$s5"];
  return [
    set(n, `(f32x4.nearest (f32x4.mul ${g(src)} ${m.k(Math.LOG2E)}))`),
    set(r, m.emit(g(n), m.k(-0.693359375), g(src))),
    set(r, m.emit(g(n), m.k(2.1219444e-4), g(r))),
    set(p, m.emit(m.k(1.98756915e-4), g(r), m.k(1.3981999507e-3))),
    set(p, m.emit(g(p), g(r), m.k(8.3334519073e-3))),
    set(p, m.emit(g(p), g(r), m.k(4.1665795894e-2))),
    set(p, m.emit(g(p), g(r), m.k(1.6666665459e-1))),
    set(p, m.emit(g(p), g(r), m.k(5.0000001201e-1))),
    // e^r = p r^2 + r + 1
    set(p, m.emit(g(p), `(f32x4.mul ${g(r)} ${g(r)})`, `(f32x4.add ${g(r)} ${m.k(1)})`)),
    // times 2^n, built in the exponent bits. n is a whole number within about +-126, where the
    // relaxed truncation (one cvttps2dq) needs none of trunc_sat's saturation fix-ups.
    set(
      dst,
      `(f32x4.mul ${g(p)} (i32x4.shl (i32x4.add (${m.relaxed ? "i32x4.relaxed_trunc_f32x4_s" : "i32x4.trunc_sat_f32x4_s"} ${g(n)}) (v128.const i32x4 127 127 127 127)) (i32.const 23)))`,
    ),
  ];
}

/**
 * tanh as a [13/6] odd/even rational function of x on [-7.99881, 7.99881] (the minimax fit Eigen
 * uses for its float tanh; outside, tanh is 1 to float precision). Max abs error 3.6e-7 against
 * tanh, i.e. a few float32 ulp near +-1 and ~1 ulp elsewhere: exact for NAM's purposes (NAM's
 * *fast* tanh is off by up to 2e-2 at the output). About half the cost of the exp-based form.
 */
export function tanhInPlace(x: string, m: Madd): string[] {
  const [xc, x2, p, q] = ["$s0", "$s1", "$s2", "$s6"];
  const alpha = [
    4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11,
    2.00018790482477e-13, -2.76076847742355e-16,
  ];
  const beta = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];
  const clamp = 7.998811721801758;
  const out: string[] = [
    set(xc, `(f32x4.pmax (f32x4.pmin ${g(x)} ${m.k(clamp)}) ${m.k(-clamp)})`),
    set(x2, `(f32x4.mul ${g(xc)} ${g(xc)})`),
    set(p, m.emit(m.k(alpha[6]!), g(x2), m.k(alpha[5]!))),
  ];
  for (let i = 4; i >= 0; i--) out.push(set(p, m.emit(g(p), g(x2), m.k(alpha[i]!))));
  out.push(set(p, `(f32x4.mul ${g(p)} ${g(xc)})`));
  out.push(set(q, m.emit(m.k(beta[3]!), g(x2), m.k(beta[2]!))));
  for (let i = 1; i >= 0; i--) out.push(set(q, m.emit(g(q), g(x2), m.k(beta[i]!))));
  // |x| < 4e-4: tanh(x) = x to float precision (and avoids 0/0-style cancellation).
  out.push(
    set(
      x,
      `(v128.bitselect ${g(x)} (f32x4.div ${g(p)} ${g(q)}) (f32x4.lt (f32x4.abs ${g(x)}) ${m.k(0.0004)}))`,
    ),
  );
  return out;
}

export function sigmoidInPlace(x: string, m: Madd): string[] {
  const e = "$s0";
  return [
    // pmin/pmax: one instruction each; min/max add NaN and -0 fix-ups (about five more) that a
    // clamp does not need (a NaN still comes out NaN).
    set(e, `(f32x4.neg (f32x4.pmax (f32x4.pmin ${g(x)} ${m.k(80)}) ${m.k(-80)}))`),
    ...expInto(e, e, m),
    set(x, `(f32x4.div ${m.k(1)} (f32x4.add ${m.k(1)} ${g(e)}))`),
  ];
}

/** NAM Core's fast_tanh, vectorised. */
export function fastTanhInPlace(x: string, m: Madd): string[] {
  const [ax, x2, num] = ["$s0", "$s1", "$s2"];
  return [
    set(ax, `(f32x4.abs ${g(x)})`),
    set(x2, `(f32x4.mul ${g(x)} ${g(x)})`),
    set(
      num,
      `(f32x4.mul ${g(x)} (f32x4.add (f32x4.add ${m.k(2.45550750702956)} (f32x4.mul ${m.k(2.45550750702956)} ${g(ax)})) (f32x4.mul (f32x4.add ${m.k(0.893229853513558)} (f32x4.mul ${m.k(0.821226666969744)} ${g(ax)})) ${g(x2)})))`,
    ),
    set(
      x,
      `(f32x4.div ${g(num)} (f32x4.add ${m.k(2.44506634652299)} (f32x4.mul (f32x4.add ${m.k(2.44506634652299)} ${g(x2)}) (f32x4.abs (f32x4.add ${g(x)} (f32x4.mul (f32x4.mul ${m.k(0.814642734961073)} ${g(x)}) ${g(ax)}))))))`,
    ),
  ];
}

export function activationInPlace(act: Activation, x: string, m: Madd): string[] {
  const zero = "(v128.const i32x4 0 0 0 0)";
  switch (act.kind) {
    case "tanh":
      return tanhInPlace(x, m);
    case "fasttanh":
      return fastTanhInPlace(x, m);
    case "sigmoid":
      return sigmoidInPlace(x, m);
    case "relu":
      return [set(x, `(v128.bitselect ${g(x)} ${zero} (f32x4.gt ${g(x)} ${zero}))`)];
    case "leakyrelu":
      return [
        set(x, `(v128.bitselect ${g(x)} (f32x4.mul ${g(x)} ${m.k(act.slope)}) (f32x4.gt ${g(x)} ${zero}))`),
      ];
    case "hardtanh":
      return [set(x, `(f32x4.pmin (f32x4.pmax ${g(x)} ${m.k(-1)}) ${m.k(1)})`)];
    case "leakyhardtanh": {
      const lo = `(f32x4.add (f32x4.mul (f32x4.sub ${g(x)} ${m.k(act.minVal)}) ${m.k(act.minSlope)}) ${m.k(act.minVal)})`;
      const hi = `(f32x4.add (f32x4.mul (f32x4.sub ${g(x)} ${m.k(act.maxVal)}) ${m.k(act.maxSlope)}) ${m.k(act.maxVal)})`;
      return [
        set("$s1", lo),
        set("$s2", hi),
        set(x, `(v128.bitselect ${g("$s1")} ${g(x)} (f32x4.lt ${g(x)} ${m.k(act.minVal)}))`),
        set(x, `(v128.bitselect ${g("$s2")} ${g(x)} (f32x4.gt ${g(x)} ${m.k(act.maxVal)}))`),
      ];
    }
    case "silu":
      return [set("$s2", g(x)), ...sigmoidInPlace("$s2", m), set(x, `(f32x4.mul ${g(x)} ${g("$s2")})`)].map(
        (l) =>
          // sigmoidInPlace uses $s0/$s3..$s5 only, so $s2 is safe as its in/out
          l,
      );
    case "hardswish":
      return [
        set("$s1", `(f32x4.div (f32x4.mul ${g(x)} (f32x4.add ${g(x)} ${m.k(3)})) ${m.k(6)})`),
        set("$s1", `(v128.bitselect ${zero} ${g("$s1")} (f32x4.le ${g(x)} ${m.k(-3)}))`),
        set(x, `(v128.bitselect ${g(x)} ${g("$s1")} (f32x4.ge ${g(x)} ${m.k(3)}))`),
      ];
    case "softsign":
      return [set(x, `(f32x4.div ${g(x)} (f32x4.add ${m.k(1)} (f32x4.abs ${g(x)})))`)];
    case "prelu":
      // Per-channel slopes need the lane's channel; the kernels that use this never get PReLU.
      throw new Error("PReLU has no lane-uniform SIMD form");
  }
}
