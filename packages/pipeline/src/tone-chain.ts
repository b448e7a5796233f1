import {
  applyEffects,
  Biquad,
  convolve,
  type Effect,
  highPass,
  parsedEffectSchema,
  parseNamModel,
  renderNam,
} from "@shootout/audio";
import { type ChainStats, guardLoudness } from "./loudness-guard.ts";

/** Every tone is rendered at this rate (the DI is resampled to it). */
export const CHAIN_SAMPLE_RATE = 48_000;
/** The optional high-pass before the amp, as the original pipeline did. */
export const HIGHPASS_HZ = 80;
/** Raised-cosine fade at each end of a rendered tone, so a segment never starts or stops with a click. */
export const EDGE_FADE_MS = 5;
/** NAM render chunk: 0.25 s, so progress moves smoothly and a cancel is seen quickly. */
export const NAM_CHUNK_SAMPLES = 12_000;

/** What one tone's chain does, as plain data (it crosses into a worker thread). */
export interface ToneChainSpec {
  /** The `.nam` file's text (parsed again inside the thread; cheaper than cloning weights). */
  readonly namText: string;
  readonly highpass: boolean;
  /** The prepared IR (48 kHz mono, unit energy), or null for none. */
  readonly ir: Float32Array | null;
  /** Stored effect strings, applied in order. */
  readonly effects: readonly string[];
  /** Loudness-match to this many LUFS, or null to leave the level alone. */
  readonly targetLufs: number | null;
}

export type { ChainStats } from "./loudness-guard.ts";

/**
 * CPU seconds of the calling thread (user + system). Stage times are CPU, not wall: on a shared
 * machine a thread's wall clock also counts the time it waited for a core.
 */
export function threadCpuSeconds(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds per stage. */
export interface StageTimes {
  nam: number;
  highpass: number;
  ir: number;
  effects: number;
  loudness: number;
}

export interface ToneChainResult {
  samples: Float32Array;
  stats: ChainStats;
  /** CPU seconds spent per stage. */
  times: StageTimes;
}

export interface ToneChainOptions {
  /** Fraction of this tone done, 0..1 (the NAM render is most of it). */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

function fadeEdges(x: Float32Array, sampleRate: number): void {
  const n = Math.min(Math.round((EDGE_FADE_MS / 1000) * sampleRate), Math.floor(x.length / 2));
  for (let i = 0; i < n; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
    x[i]! *= g;
    x[x.length - 1 - i]! *= g;
  }
}

/** Share of a tone's progress that the NAM render stands for; the rest is the cheap stages after it. */
const NAM_SHARE = 0.9;

/**
 * One tone's chain over the prepared DI: optional 80 Hz high-pass → NAM → optional IR
 * (same length, latency-compensated) → effects in order (no tails: every tone lasts as long as
 * the DI) → loudness match (or not) with a true-peak guard → 5 ms edge fades.
 * Deterministic: the same inputs give the same samples, bit for bit.
 */
export async function renderToneChain(
  di: Float32Array,
  spec: ToneChainSpec,
  options: ToneChainOptions = {},
): Promise<ToneChainResult> {
  const sr = CHAIN_SAMPLE_RATE;
  const times: StageTimes = { nam: 0, highpass: 0, ir: 0, effects: 0, loudness: 0 };
  const clock = threadCpuSeconds;
  const effects: Effect[] = spec.effects.map((e) => parsedEffectSchema.parse(e));
  const model = parseNamModel(spec.namText);

  let t = clock();
  let x: Float32Array = di.slice();
  if (spec.highpass) new Biquad(highPass(HIGHPASS_HZ, sr)).process(x);
  times.highpass = clock() - t;

  t = clock();
  x = await renderNam(model, x, {
    chunkSize: NAM_CHUNK_SAMPLES,
    signal: options.signal,
    onProgress: (f) => options.onProgress?.(f * NAM_SHARE),
  });
  times.nam = clock() - t;

  t = clock();
  if (spec.ir) x = convolve(x, spec.ir);
  times.ir = clock() - t;

  t = clock();
  if (effects.length > 0) x = applyEffects(x, sr, effects);
  times.effects = clock() - t;
  options.onProgress?.(0.95);

  t = clock();
  const guarded = guardLoudness(x, sr, spec.targetLufs);
  x = guarded.samples;
  fadeEdges(x, sr);
  times.loudness = clock() - t;
  options.onProgress?.(1);
  return {
    samples: x,
    stats: guarded.stats,
    times,
  };
}
