import {
  applyEffects,
  Biquad,
  convolve,
  type Effect,
  highPass,
  type NamModel,
  parsedEffectSchema,
  parseNamModel,
  renderNam,
  slimNamModel,
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

/** An amp capture as a thread renders it: the `.nam` text and the size to render it at. */
export interface AmpModel {
  /** The `.nam` file's text (parsed again inside the thread; cheaper than cloning weights). */
  readonly namText: string;
  /** NAM's slim value 0..1 for a slimmable model (an A2 export); null = full size. */
  readonly slim: number | null;
}

/** What one tone's chain does, as plain data (it crosses into a worker thread). */
export interface ToneChainSpec {
  /** The amp capture, or null for a cabinet-only tone (the DI goes straight into the IR). */
  readonly amp: AmpModel | null;
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
  /** The NAM output rendered already (in parts, on other threads): the chain starts after NAM. */
  amp?: { samples: Float32Array; seconds: number } | null;
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
export const NAM_SHARE = 0.9;

/** The DI as the amp sees it: with the optional 80 Hz high-pass, on a copy. */
export function ampInput(di: Float32Array, highpass: boolean): Float32Array {
  const x = di.slice();
  if (highpass) new Biquad(highPass(HIGHPASS_HZ, CHAIN_SAMPLE_RATE)).process(x);
  return x;
}

/**
 * Parsed models of this thread by `.nam` text, the most recent few: the parts and tones of a
 * shootout mostly share models, and the audio package caches a model's compiled kernel per model
 * object, so a model parsed again would also be planned and instantiated again. The sized model
 * (a container's submodel, a sliced WaveNet) is kept per size for the same reason.
 */
const parsedModels = new Map<string, { full: NamModel; sized: Map<number, NamModel> }>();
const PARSED_MODELS_KEPT = 4;

function modelOf(amp: AmpModel): NamModel {
  let entry = parsedModels.get(amp.namText);
  if (entry) parsedModels.delete(amp.namText);
  else entry = { full: parseNamModel(amp.namText), sized: new Map() };
  parsedModels.set(amp.namText, entry);
  while (parsedModels.size > PARSED_MODELS_KEPT) parsedModels.delete(parsedModels.keys().next().value!);
  if (amp.slim === null) return entry.full;
  let sized = entry.sized.get(amp.slim);
  if (!sized) {
    sized = slimNamModel(entry.full, amp.slim);
    entry.sized.set(amp.slim, sized);
  }
  return sized;
}

/**
 * NAM over `input`, dropping the first `leadIn` output samples: with a lead-in of the model's
 * receptive field, a WaveNet's output for the rest is what rendering the whole signal gives.
 */
export async function renderNamPart(
  amp: AmpModel,
  input: Float32Array,
  leadIn: number,
  onProgress?: (fraction: number) => void,
): Promise<{ samples: Float32Array; seconds: number }> {
  const start = threadCpuSeconds();
  const out = await renderNam(modelOf(amp), input, { chunkSize: NAM_CHUNK_SAMPLES, onProgress });
  // A whole buffer, so it moves to the main thread by transfer.
  return { samples: leadIn > 0 ? out.slice(leadIn) : out, seconds: threadCpuSeconds() - start };
}

/**
 * One tone's chain over the prepared DI: optional 80 Hz high-pass → NAM (unless cabinet-only) → optional IR
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

  let t = clock();
  let x: Float32Array;
  if (options.amp) {
    x = options.amp.samples;
    times.nam = options.amp.seconds;
  } else {
    x = ampInput(di, spec.highpass);
    times.highpass = clock() - t;
    t = clock();
    if (spec.amp) {
      x = await renderNam(modelOf(spec.amp), x, {
        chunkSize: NAM_CHUNK_SAMPLES,
        signal: options.signal,
        onProgress: (f) => options.onProgress?.(f * NAM_SHARE),
      });
    }
    times.nam = clock() - t;
  }

  // From here on `x` is this chain's own (the NAM output, or the amp samples given to this
  // thread), so the stages change it in place: a long tone is not held once per stage.
  t = clock();
  if (spec.ir) x = convolve(x, spec.ir, { inPlace: true });
  times.ir = clock() - t;

  t = clock();
  if (effects.length > 0) x = applyEffects(x, sr, effects, { inPlace: true });
  times.effects = clock() - t;
  options.onProgress?.(0.95);

  t = clock();
  const guarded = guardLoudness(x, sr, spec.targetLufs, { inPlace: true });
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
