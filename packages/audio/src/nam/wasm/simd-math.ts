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

export function f32(v: number): string {
  const x = Math.fround(v);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  // 9 significant digits round-trip a float32 exactly.
  return x.toPrecision(9);
}

export const splatConst = (v: number) => {
  const s = f32(v);
  return `(v128.const f32x4 ${s} ${s} ${s} ${s})`;
};

export class Madd {
  readonly relaxed: boolean;
  constructor(relaxed: boolean) {
    this.relaxed = relaxed;
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
    set(n, `(f32x4.nearest (f32x4.mul ${g(src)} ${splatConst(Math.LOG2E)}))`),
    set(r, m.emit(g(n), splatConst(-0.693359375), g(src))),
    set(r, m.emit(g(n), splatConst(2.1219444e-4), g(r))),
    set(p, m.emit(splatConst(1.98756915e-4), g(r), splatConst(1.3981999507e-3))),
    set(p, m.emit(g(p), g(r), splatConst(8.3334519073e-3))),
    set(p, m.emit(g(p), g(r), splatConst(4.1665795894e-2))),
    set(p, m.emit(g(p), g(r), splatConst(1.6666665459e-1))),
    set(p, m.emit(g(p), g(r), splatConst(5.0000001201e-1))),
    // e^r = p r^2 + r + 1
    set(p, m.emit(g(p), `(f32x4.mul ${g(r)} ${g(r)})`, `(f32x4.add ${g(r)} ${splatConst(1)})`)),
    // times 2^n, built in the exponent bits
    set(
      dst,
      `(f32x4.mul ${g(p)} (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${g(n)}) (v128.const i32x4 127 127 127 127)) (i32.const 23)))`,
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
    set(xc, `(f32x4.pmax (f32x4.pmin ${g(x)} ${splatConst(clamp)}) ${splatConst(-clamp)})`),
    set(x2, `(f32x4.mul ${g(xc)} ${g(xc)})`),
    set(p, m.emit(splatConst(alpha[6]!), g(x2), splatConst(alpha[5]!))),
  ];
  for (let i = 4; i >= 0; i--) out.push(set(p, m.emit(g(p), g(x2), splatConst(alpha[i]!))));
  out.push(set(p, `(f32x4.mul ${g(p)} ${g(xc)})`));
  out.push(set(q, m.emit(splatConst(beta[3]!), g(x2), splatConst(beta[2]!))));
  for (let i = 1; i >= 0; i--) out.push(set(q, m.emit(g(q), g(x2), splatConst(beta[i]!))));
  // |x| < 4e-4: tanh(x) = x to float precision (and avoids 0/0-style cancellation).
  out.push(
    set(
      x,
      `(v128.bitselect ${g(x)} (f32x4.div ${g(p)} ${g(q)}) (f32x4.lt (f32x4.abs ${g(x)}) ${splatConst(0.0004)}))`,
    ),
  );
  return out;
}

export function sigmoidInPlace(x: string, m: Madd): string[] {
  const e = "$s0";
  return [
    set(e, `(f32x4.neg (f32x4.max (f32x4.min ${g(x)} ${splatConst(80)}) ${splatConst(-80)}))`),
    ...expInto(e, e, m),
    set(x, `(f32x4.div ${splatConst(1)} (f32x4.add ${splatConst(1)} ${g(e)}))`),
  ];
}

/** NAM Core's fast_tanh, vectorised. */
export function fastTanhInPlace(x: string, _m: Madd): string[] {
  const [ax, x2, num] = ["$s0", "$s1", "$s2"];
  return [
    set(ax, `(f32x4.abs ${g(x)})`),
    set(x2, `(f32x4.mul ${g(x)} ${g(x)})`),
    set(
      num,
      `(f32x4.mul ${g(x)} (f32x4.add (f32x4.add ${splatConst(2.45550750702956)} (f32x4.mul ${splatConst(2.45550750702956)} ${g(ax)})) (f32x4.mul (f32x4.add ${splatConst(0.893229853513558)} (f32x4.mul ${splatConst(0.821226666969744)} ${g(ax)})) ${g(x2)})))`,
    ),
    set(
      x,
      `(f32x4.div ${g(num)} (f32x4.add ${splatConst(2.44506634652299)} (f32x4.mul (f32x4.add ${splatConst(2.44506634652299)} ${g(x2)}) (f32x4.abs (f32x4.add ${g(x)} (f32x4.mul (f32x4.mul ${splatConst(0.814642734961073)} ${g(x)}) ${g(ax)}))))))`,
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
        set(
          x,
          `(v128.bitselect ${g(x)} (f32x4.mul ${g(x)} ${splatConst(act.slope)}) (f32x4.gt ${g(x)} ${zero}))`,
        ),
      ];
    case "hardtanh":
      return [set(x, `(f32x4.pmin (f32x4.pmax ${g(x)} ${splatConst(-1)}) ${splatConst(1)})`)];
    case "leakyhardtanh": {
      const lo = `(f32x4.add (f32x4.mul (f32x4.sub ${g(x)} ${splatConst(act.minVal)}) ${splatConst(act.minSlope)}) ${splatConst(act.minVal)})`;
      const hi = `(f32x4.add (f32x4.mul (f32x4.sub ${g(x)} ${splatConst(act.maxVal)}) ${splatConst(act.maxSlope)}) ${splatConst(act.maxVal)})`;
      return [
        set("$s1", lo),
        set("$s2", hi),
        set(x, `(v128.bitselect ${g("$s1")} ${g(x)} (f32x4.lt ${g(x)} ${splatConst(act.minVal)}))`),
        set(x, `(v128.bitselect ${g("$s2")} ${g(x)} (f32x4.gt ${g(x)} ${splatConst(act.maxVal)}))`),
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
        set("$s1", `(f32x4.div (f32x4.mul ${g(x)} (f32x4.add ${g(x)} ${splatConst(3)})) ${splatConst(6)})`),
        set("$s1", `(v128.bitselect ${zero} ${g("$s1")} (f32x4.le ${g(x)} ${splatConst(-3)}))`),
        set(x, `(v128.bitselect ${g(x)} ${g("$s1")} (f32x4.ge ${g(x)} ${splatConst(3)}))`),
      ];
    case "softsign":
      return [set(x, `(f32x4.div ${g(x)} (f32x4.add ${splatConst(1)} (f32x4.abs ${g(x)})))`)];
    case "prelu":
      // Per-channel slopes need the lane's channel; the kernels that use this never get PReLU.
      throw new Error("PReLU has no lane-uniform SIMD form");
  }
}
