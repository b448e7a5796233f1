import { readFileSync } from "node:fs";
import path from "node:path";

/** CI lays shared/ beside the clone; locally it is /work/shared beside /work/main. */
export const repoRoot = path.resolve(import.meta.dirname, "../../../..");
export const referenceDir = path.resolve(repoRoot, "../shared/nam-reference");

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
