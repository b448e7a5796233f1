/**
 * A look-ahead peak limiter (in this package, not packages/audio, which another engineer owns):
 * the gain needed to hold every sample under `ceiling` is spread by a sliding minimum over
 * ±lookahead samples, smoothed by a moving average of the same span (so it ramps down before a
 * peak and never exceeds what the peak needs), then recovers with a one-pole release. Only the
 * loud peaks are touched, so loudness barely moves, unlike turning the whole tone down.
 */

export interface LimitResult {
  /** Deepest gain reduction applied, dB (0 when nothing reached the ceiling). */
  maxReductionDb: number;
}

/**
 * Limits `x` in place. Scratch is two float gains and one index per sample (12 bytes), whatever
 * the number of calls: the guard calls it up to five times a tone, and a long tone's copies
 * would otherwise pile up until the next garbage collection.
 */
export function limitPeaksInPlace(
  x: Float32Array,
  ceiling: number,
  sampleRate: number,
  options: { lookaheadMs?: number; releaseMs?: number } = {},
): LimitResult {
  const n = x.length;
  const L = Math.max(1, Math.round(((options.lookaheadMs ?? 1.5) / 1000) * sampleRate));
  const need = new Float32Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]!);
    need[i] = a > ceiling ? ceiling / a : 1;
    if (a > ceiling) any = true;
  }
  if (!any) return { maxReductionDb: 0 };

  // Sliding minimum over [i - L, i + L] (monotonic deque of indices).
  const held = new Float32Array(n);
  const deque = new Int32Array(n + 2 * L + 1);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const hi = Math.min(n - 1, i + L);
    while (next <= hi) {
      while (tail > head && need[deque[tail - 1]!]! >= need[next]!) tail--;
      deque[tail++] = next++;
    }
    while (deque[head]! < i - L) head++;
    held[i] = need[deque[head]!]!;
  }
  // Moving average over the same span (outside the signal counts as 1): still <= need at a peak.
  // A running sum over [lo, hi); `need` is free now and takes the smoothed gain.
  const span = 2 * L + 1;
  const smooth = need;
  let inside = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const wantHi = Math.min(n, i + L + 1);
    while (hi < wantHi) inside += held[hi++]!;
    const wantLo = Math.max(0, i - L);
    while (lo < wantLo) inside -= held[lo++]!;
    smooth[i] = Math.min(held[i]!, (inside + (span - (hi - lo))) / span);
  }
  // Release: the gain may rise only as fast as a one-pole recovery; it may fall at once.
  const r = Math.exp(-1 / (((options.releaseMs ?? 60) / 1000) * sampleRate));
  let g = 1;
  let deepest = 1;
  for (let i = 0; i < n; i++) {
    const recovered = 1 - (1 - g) * r;
    g = Math.min(smooth[i]!, recovered);
    if (g < deepest) deepest = g;
    x[i] = x[i]! * g;
  }
  return { maxReductionDb: -20 * Math.log10(deepest) };
}
