import { AudioError } from "../errors.ts";

/**
 * Every activation NAM Core's activations.cpp knows, with its definitions and parameter defaults.
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
  /** Per-channel slopes (one slope applies to every channel); channel = index modulo their count. */
  | { kind: "prelu"; slopes: Float32Array }
  | { kind: "sigmoid" }
  | { kind: "silu" }
  | { kind: "hardswish" }
  | { kind: "softsign" };

/** NAM Core holds activation parameters as float. */
const f32 = Math.fround;

function num(obj: Record<string, unknown>, key: string, fallback: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new AudioError("INVALID_NAM", `activation parameter "${key}" must be a finite number`);
  }
  return v;
}

export function parseActivation(spec: string | Record<string, unknown>): Activation {
  if (typeof spec !== "string" && (spec === null || typeof spec !== "object")) {
    throw new AudioError("INVALID_NAM", "activation must be a name or an object with a type");
  }
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
        minVal: f32(num(params, "min_val", -1)),
        maxVal: f32(num(params, "max_val", 1)),
        minSlope: f32(num(params, "min_slope", 0.01)),
        maxSlope: f32(num(params, "max_slope", 0.01)),
      };
    case "ReLU":
      return { kind: "relu" };
    case "LeakyReLU":
      return { kind: "leakyrelu", slope: f32(num(params, "negative_slope", 0.01)) };
    case "PReLU": {
      // NAM Core: "negative_slope" wins over "negative_slopes"; neither means 0.01.
      if (params.negative_slope !== undefined && params.negative_slope !== null) {
        return { kind: "prelu", slopes: Float32Array.of(num(params, "negative_slope", 0.01)) };
      }
      const list = params.negative_slopes;
      if (list === undefined || list === null) return { kind: "prelu", slopes: Float32Array.of(0.01) };
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        !list.every((v) => typeof v === "number" && Number.isFinite(v))
      ) {
        throw new AudioError(
          "INVALID_NAM",
          'PReLU "negative_slopes" must be a non-empty list of finite numbers',
        );
      }
      return { kind: "prelu", slopes: Float32Array.from(list as number[]) };
    }
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
    case "prelu": {
      // As NAM Core on a column-major block: the slope index runs with the element index.
      const slopes = act.slopes;
      const m = slopes.length;
      for (let i = offset; i < end; i++) {
        const v = data[i]!;
        data[i] = v > 0 ? v : slopes[(i - offset) % m]! * v;
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

/** A short name for what a model is made of ("LeakyReLU(0.01)"). */
export function activationName(act: Activation): string {
  switch (act.kind) {
    case "leakyrelu":
      return `LeakyReLU(${+act.slope.toPrecision(6)})`;
    case "prelu":
      return "PReLU";
    case "leakyhardtanh":
      return "LeakyHardtanh";
    default:
      return {
        tanh: "Tanh",
        fasttanh: "Fasttanh",
        hardtanh: "Hardtanh",
        relu: "ReLU",
        sigmoid: "Sigmoid",
        silu: "SiLU",
        hardswish: "Hardswish",
        softsign: "Softsign",
      }[act.kind];
  }
}
