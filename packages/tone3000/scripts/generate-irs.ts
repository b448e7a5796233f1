// Synthesizes the stand-in's cabinet IRs: short decaying, filtered noise, 48 kHz mono float32 WAV.
// Deterministic (seeded PRNG), so re-running rewrites identical bytes. Not measurements of any
// real cabinet: they only need to look and behave like IRs (a sharp onset, a fast decay, a
// speaker-ish band-pass). Run: node packages/tone3000/scripts/generate-irs.ts
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SAMPLE_RATE = 48_000;

interface IrRecipe {
  file: string;
  seed: number;
  lengthMs: number;
  /** Time for the envelope to fall by 60 dB. */
  t60Ms: number;
  highPassHz: number;
  lowPassHz: number;
  /** Second low-pass pass: steeper top end (closed-back cabs roll off harder). */
  lowPassPasses: number;
}

const RECIPES: IrRecipe[] = [
  {
    file: "synthetic_4x12_closed.wav",
    seed: 412,
    lengthMs: 120,
    t60Ms: 45,
    highPassHz: 75,
    lowPassHz: 4500,
    lowPassPasses: 3,
  },
  {
    file: "synthetic_1x12_open.wav",
    seed: 112,
    lengthMs: 100,
    t60Ms: 30,
    highPassHz: 110,
    lowPassHz: 6500,
    lowPassPasses: 2,
  },
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function onePoleLowPass(x: Float64Array, cutoffHz: number): void {
  const a = Math.exp((-2 * Math.PI * cutoffHz) / SAMPLE_RATE);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y = (1 - a) * x[i]! + a * y;
    x[i] = y;
  }
}

function onePoleHighPass(x: Float64Array, cutoffHz: number): void {
  const a = Math.exp((-2 * Math.PI * cutoffHz) / SAMPLE_RATE);
  let prevX = 0;
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y = a * (y + x[i]! - prevX);
    prevX = x[i]!;
    x[i] = y;
  }
}

export function synthesizeIr(recipe: IrRecipe): Float32Array {
  const n = Math.round((recipe.lengthMs / 1000) * SAMPLE_RATE);
  const random = mulberry32(recipe.seed);
  const x = new Float64Array(n);
  const decayPerSample = Math.log(1000) / ((recipe.t60Ms / 1000) * SAMPLE_RATE);
  const onset = 8; // a few samples of pre-delay, like a mic a little off the cone
  for (let i = onset; i < n; i++) {
    const noise = random() * 2 - 1;
    x[i] = noise * Math.exp(-(i - onset) * decayPerSample);
  }
  x[onset] = (x[onset] ?? 0) + 1; // the direct sound
  for (let pass = 0; pass < recipe.lowPassPasses; pass++) onePoleLowPass(x, recipe.lowPassHz);
  onePoleHighPass(x, recipe.highPassHz);
  // Short fade-out so the IR ends at silence, then peak-normalise to -1 dBFS.
  const fade = Math.round(0.005 * SAMPLE_RATE);
  for (let i = 0; i < fade; i++) x[n - 1 - i] = x[n - 1 - i]! * (i / fade);
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const gain = 10 ** (-1 / 20) / peak;
  return Float32Array.from(x, (v) => v * gain);
}

export function encodeFloatWav(samples: Float32Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 4;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write("RIFF", 0, "ascii");
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write("WAVE", 8, "ascii");
  buffer.write("fmt ", 12, "ascii");
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(3, 20); // IEEE float
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 4, 28);
  buffer.writeUInt16LE(4, 32);
  buffer.writeUInt16LE(32, 34);
  buffer.write("data", 36, "ascii");
  buffer.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buffer.writeFloatLE(samples[i]!, 44 + i * 4);
  return buffer;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const recipe of RECIPES) {
    const target = new URL(`../catalog/irs/${recipe.file}`, import.meta.url);
    writeFileSync(target, encodeFloatWav(synthesizeIr(recipe), SAMPLE_RATE));
    console.log(`wrote ${fileURLToPath(target)}`);
  }
}
