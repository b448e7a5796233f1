export interface TrimOptions {
  /** Level below which the ends count as silence, dBFS (default -50). */
  thresholdDb?: number;
  /** Audio kept before the first and after the last loud sample, ms (default 10 / 50). */
  keepBeforeMs?: number;
  keepAfterMs?: number;
  /** Fade over the kept lead-in / tail, ms (default 5 / 20), so the cut does not click. */
  fadeInMs?: number;
  fadeOutMs?: number;
}

export interface TrimResult {
  samples: Float32Array;
  /** Index in the input of the first kept sample, and one past the last. */
  start: number;
  end: number;
  /** Nothing reached the threshold: `samples` is empty. */
  silent: boolean;
}

/**
 * Cut leading and trailing silence: find the first and last samples whose absolute value reaches
 * the threshold, keep a short margin around them, and fade that margin in/out (raised cosine).
 */
export function trimSilence(
  samples: Float32Array,
  sampleRate: number,
  options: TrimOptions = {},
): TrimResult {
  const thr = 10 ** ((options.thresholdDb ?? -50) / 20);
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) >= thr) {
      first = i;
      break;
    }
  }
  if (first < 0) return { samples: new Float32Array(0), start: 0, end: 0, silent: true };
  for (let i = samples.length - 1; i >= first; i--) {
    if (Math.abs(samples[i]!) >= thr) {
      last = i;
      break;
    }
  }
  const ms = (v: number) => Math.round((v / 1000) * sampleRate);
  const start = Math.max(0, first - ms(options.keepBeforeMs ?? 10));
  const end = Math.min(samples.length, last + 1 + ms(options.keepAfterMs ?? 50));
  const out = samples.slice(start, end);
  const fadeIn = Math.min(ms(options.fadeInMs ?? 5), first - start);
  const fadeOut = Math.min(ms(options.fadeOutMs ?? 20), end - (last + 1));
  for (let i = 0; i < fadeIn; i++) out[i]! *= 0.5 - 0.5 * Math.cos((Math.PI * i) / fadeIn);
  for (let i = 0; i < fadeOut; i++) out[out.length - 1 - i]! *= 0.5 - 0.5 * Math.cos((Math.PI * i) / fadeOut);
  return { samples: out, start, end, silent: false };
}
