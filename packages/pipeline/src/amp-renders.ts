import type { RenderPool } from "./render-pool.ts";
import type { NamPartResult } from "./thread-protocol.ts";
import { type AmpModel, ampInput, threadCpuSeconds } from "./tone-chain.ts";

/**
 * What decides a tone's NAM output: the model's bytes, the size it renders at, and whether the DI
 * is high-passed first. Null for a cabinet-only tone (it has no NAM render).
 */
export interface AmpOf {
  modelSha256: string;
  amp: AmpModel;
  /**
   * The samples of context a part needs to continue another bit for bit (of the size rendered:
   * an A2's smallest size has its own); null for a model with state beyond that (LSTM).
   */
  receptiveField: number | null;
  highpass: boolean;
}

export interface AmpRenders {
  /**
   * Tone `i`'s NAM output rendered ahead of its chain, or null when the tone's thread should run
   * NAM itself as part of the chain (a model of its own that cannot be split), or has no amp. Each caller gets
   * its own copy; the CPU seconds go to the first caller of a shared render only.
   */
  render(i: number, onProgress: (fraction: number) => void): Promise<NamPartResult> | null;
}

/**
 * The NAM renders of a shootout's tones, planned before any starts.
 * - Tones of one model with the same high-pass setting have the same NAM output: it is rendered
 *   once and each of them continues its chain (IR, effects, level) from a copy. A cab or effects
 *   shootout through one amp capture costs one NAM render, not one per tone.
 * - With several threads, a WaveNet render is cut in two halves that any thread may take, the
 *   second with the model's receptive field of lead-in (the same samples, bit for bit, as one
 *   render): 5 tones on 2 threads then end together instead of the fifth running alone.
 */
export function planAmpRenders(options: {
  pool: RenderPool;
  di: Float32Array;
  tones: readonly (AmpOf | null)[];
  signal: AbortSignal;
  /** CPU seconds of the high-pass the main thread runs for split renders. */
  onHighpassCpu: (seconds: number) => void;
}): AmpRenders {
  const { pool, di, tones, signal } = options;
  // Two sizes of one A2 file are two different renders.
  const keyOf = (a: AmpOf) => `${a.modelSha256}:${a.amp.slim ?? "full"}:${a.highpass ? "hp" : "flat"}`;
  const sharers = new Map<string, number>();
  for (const tone of tones) if (tone) sharers.set(keyOf(tone), (sharers.get(keyOf(tone)) ?? 0) + 1);

  const mid = Math.floor(di.length / 2);
  const splittable = (a: AmpOf) => pool.size >= 2 && a.receptiveField !== null && mid >= a.receptiveField;

  const inputs = new Map<boolean, Float32Array>();
  const inputOf = (highpass: boolean) => {
    let input = inputs.get(highpass);
    if (!input) {
      const c = threadCpuSeconds();
      input = ampInput(di, highpass);
      options.onHighpassCpu(threadCpuSeconds() - c);
      inputs.set(highpass, input);
    }
    return input;
  };

  function start(a: AmpOf, onProgress: (fraction: number) => void): Promise<NamPartResult> {
    const input = inputOf(a.highpass);
    const lead = a.receptiveField;
    if (!splittable(a) || lead === null) {
      return pool.renderNamPart(a.amp, input, 0, { signal, onProgress });
    }
    const done = [0, 0];
    const partProgress = (k: number, size: number) => (f: number) => {
      done[k] = f * size;
      onProgress((done[0]! + done[1]!) / di.length);
    };
    return Promise.all([
      pool.renderNamPart(a.amp, input.subarray(0, mid), 0, { signal, onProgress: partProgress(0, mid) }),
      pool.renderNamPart(a.amp, input.subarray(mid - lead), lead, {
        signal,
        onProgress: partProgress(1, di.length - mid),
      }),
    ]).then(([first, second]) => {
      const samples = new Float32Array(di.length);
      samples.set(first.samples);
      samples.set(second.samples, mid);
      return { samples, seconds: first.seconds + second.seconds };
    });
  }

  const shared = new Map<string, { result: Promise<NamPartResult>; listeners: ((f: number) => void)[] }>();
  return {
    render(i, onProgress) {
      const a = tones[i];
      if (!a) return null;
      const key = keyOf(a);
      if (sharers.get(key)! < 2) return splittable(a) ? start(a, onProgress) : null;
      const existing = shared.get(key);
      if (existing) {
        existing.listeners.push(onProgress);
        return existing.result.then((r) => ({ samples: r.samples.slice(), seconds: 0 }));
      }
      const listeners = [onProgress];
      const result = start(a, (f) => {
        for (const l of listeners) l(f);
      });
      shared.set(key, { result, listeners });
      return result.then((r) => ({ samples: r.samples.slice(), seconds: r.seconds }));
    },
  };
}
