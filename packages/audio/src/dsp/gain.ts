export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

/** Multiply in place by a gain given in dB. */
export function applyGainDb(samples: Float32Array, db: number): Float32Array {
  const g = dbToGain(db);
  for (let i = 0; i < samples.length; i++) samples[i]! *= g;
  return samples;
}
