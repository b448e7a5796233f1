import { AudioError } from "../errors.ts";

/**
 * The activations A1 WaveNet models name in their config, with NAM Core's definitions.
 * A config may give an activation as a bare name ("Tanh") or as an object with a `type` and
 * parameters (newer exporters: `{"type": "LeakyReLU", "negative_slope": 0.01}`).
 */
export type Activation =
  | { kind: "tanh" }
  | { kind: "fasttanh" }
  | { kind: "hardtanh" }
  | { kind: "leakyhardtanh"; minVal: number; maxVal: number; minSlope: number; maxSlope: number }
  | { kind: "relu" }
  | { kind: "leakyrelu"; slope: number }
  | { kind: "sigmoid" }
  | { kind: "silu" }
  | { kind: "hardswish" }
  | { kind: "softsign" };

function num(obj: Record<string, unknown>, key: string, fallback: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new AudioError("INVALID_NAM", `activation parameter "${key}" must be a finite number`);
  }
  return v;
}

export function parseActivation(spec: string | Record<string, unknown>): Activation {
  const name = typeof spec === "string" ? spec : String(spec.type);
  const params = typeof spec === "string" ? {} : spec;
  switch (name) {
    case "Tanh":
      return { kind: "tanh" };
    case "Fasttanh":
      return { kind: "fasttanh" };
    case "Hardtanh":
      return { kind: "hardtanh" };
    case "LeakyHardtanh":
    case "LeakyHardTanh":
      return {
        kind: "leakyhardtanh",
        minVal: num(params, "min_val", -1),
        maxVal: num(params, "max_val", 1),
        minSlope: num(params, "min_slope", 0.01),
        maxSlope: num(params, "max_slope", 0.01),
      };
    case "ReLU":
      return { kind: "relu" };
    case "LeakyReLU":
      return { kind: "leakyrelu", slope: num(params, "negative_slope", 0.01) };
    case "Sigmoid":
      return { kind: "sigmoid" };
    case "SiLU":
    case "Swish":
      return { kind: "silu" };
    case "Hardswish":
    case "HardSwish":
      return { kind: "hardswish" };
    case "Softsign":
      return { kind: "softsign" };
    default:
      throw new AudioError("UNSUPPORTED_ACTIVATION", `unsupported activation "${name}"`);
  }
}

/** NAM Core's rational tanh approximation (`activations::fast_tanh`), evaluated in float32. */
export function fastTanh(x: number): number {
  const f = Math.fround;
  const ax = Math.abs(x);
  const x2 = f(x * x);
  const num = f(
    x *
      f(
        f(2.45550750702956 + f(2.45550750702956 * ax)) +
          f(f(0.893229853513558 + f(0.821226666969744 * ax)) * x2),
      ),
  );
  const den = f(
    2.44506634652299 + f(f(2.44506634652299 + x2) * Math.abs(f(x + f(f(0.814642734961073 * x) * ax)))),
  );
  return f(num / den);
}

export function fastSigmoid(x: number): number {
  return 0.5 * (fastTanh(x * 0.5) + 1);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** With `fastTanh`, "Tanh" becomes NAM's fast approximation, exactly as NAM Core's switch does. */
export function resolveActivation(act: Activation, fast: boolean): Activation {
  return fast && act.kind === "tanh" ? { kind: "fasttanh" } : act;
}

/** Apply in place to data[offset .. offset+n). */
export function applyActivation(act: Activation, data: Float32Array, offset: number, n: number): void {
  const end = offset + n;
  switch (act.kind) {
    case "tanh":
      for (let i = offset; i < end; i++) data[i] = Math.tanh(data[i]!);
      return;
    case "fasttanh":
      for (let i = offset; i < end; i++) data[i] = fastTanh(data[i]!);
      return;
    case "hardtanh":
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v < -1 ? -1 : Math.min(v, 1);
      }
      return;
    case "leakyhardtanh": {
      const { minVal, maxVal, minSlope, maxSlope } = act;
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] =
          v < minVal ? (v - minVal) * minSlope + minVal : v > maxVal ? (v - maxVal) * maxSlope + maxVal : v;
      }
      return;
    }
    case "relu":
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = Math.max(v, 0);
      }
      return;
    case "leakyrelu": {
      const s = act.slope;
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v > 0 ? v : s * v;
      }
      return;
    }
    case "sigmoid":
      for (let i = offset; i < end; i++) data[i] = sigmoid(data[i]!);
      return;
    case "silu":
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v * sigmoid(v);
      }
      return;
    case "hardswish":
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
      }
      return;
    case "softsign":
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v / (1 + Math.abs(v));
      }
      return;
  }
}
