import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../../../..");

/**
 * The NAM reference data (models, DI, NAM Core's outputs), kept outside the repository:
 * SHOOTOUT_REFERENCE_DIR when set, else shared/ beside the clone (how CI lays it out, and
 * /work/shared beside /work/main here), else this workplace's /work/shared (a clone elsewhere).
 * The one place every test and bench finds it.
 */
export const referenceDir =
  [
    process.env.SHOOTOUT_REFERENCE_DIR,
    path.resolve(repoRoot, "../shared/nam-reference"),
    "/work/shared/nam-reference",
  ].find((dir): dir is string => dir !== undefined && dir !== "" && existsSync(dir)) ??
  path.resolve(repoRoot, "../shared/nam-reference");

export function readF32(relative: string): Float32Array {
  const b = readFileSync(path.join(referenceDir, relative));
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export function readModelBytes(name: string): Uint8Array {
  return readFileSync(path.join(referenceDir, "models", `${name}.nam`));
}

export const referenceModels = [
  "wavenet_a1_standard",
  "lstm",
  "wavenet",
  "dumble",
  "jcm",
  "lstm_3x18_synthetic",
  "A2",
  "wavenet_a2_max",
  "wavenet_condition_dsp",
  "slimmable_container",
  "slimmable_wavenet",
  "convnet_synthetic",
  "linear_synthetic",
] as const;

export function diffStats(a: Float32Array, b: Float32Array, n = Math.min(a.length, b.length)) {
  let max = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d; // NaN propagates as a failure
    ss += d * d;
  }
  return { max, rms: Math.sqrt(ss / n) };
}
