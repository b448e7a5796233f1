import { integratedLoudness } from "./loudness.ts";
import { samplePeak, toDb, truePeak } from "./peak.ts";
import { averagePowerSpectrum } from "./spectrum.ts";

export interface BandRatios {
  /** Share of the 20 Hz - 20 kHz energy in 20-250 Hz. */
  bass: number;
  /** 250 Hz - 2 kHz. */
  mid: number;
  /** 2 kHz - 20 kHz (up to Nyquist when that is lower). */
  treble: number;
}

export interface AudioMetrics {
  durationSeconds: number;
  sampleRate: number;
  /** RMS level, dBFS (a full-scale square wave is 0 dB). */
  rmsDb: number;
  /** Sample peak, dBFS. */
  peakDb: number;
  /** 4x-oversampled true peak, dBTP. */
  truePeakDb: number;
  /** Sample peak over RMS, dB. */
  crestFactorDb: number;
  /** Integrated loudness, LUFS (ITU-R BS.1770-4; mono as dual mono). */
  lufs: number;
  /** Magnitude-weighted mean frequency of the long-term spectrum, 20 Hz - 20 kHz. */
  spectralCentroidHz: number;
  /** Energy shares, summing to 1 (all 0 for silence). */
  bandRatios: BandRatios;
}

/** Round for JSON: -Infinity (silence) stays a number type-wise but is reported as null by toJSON users. */
function rms(samples: Float32Array): number {
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(s / samples.length) : 0;
}

/** Measure a mono signal. Silence gives -Infinity levels and zero ratios, never NaN. */
export function measure(samples: Float32Array, sampleRate: number): AudioMetrics {
  const rmsLin = rms(samples);
  const peak = samplePeak(samples);
  const rmsDb = toDb(rmsLin);
  const peakDb = toDb(peak);
  const { power, binHz } = averagePowerSpectrum(samples, sampleRate);
  const top = Math.min(20_000, sampleRate / 2);
  let bass = 0;
  let mid = 0;
  let treble = 0;
  let magSum = 0;
  let magFreq = 0;
  for (let k = 0; k < power.length; k++) {
    const f = k * binHz;
    if (f < 20 || f > top) continue;
    const p = power[k]!;
    if (f < 250) bass += p;
    else if (f < 2000) mid += p;
    else treble += p;
    const m = Math.sqrt(p);
    magSum += m;
    magFreq += m * f;
  }
  const total = bass + mid + treble;
  return {
    durationSeconds: samples.length / sampleRate,
    sampleRate,
    rmsDb,
    peakDb,
    truePeakDb: toDb(truePeak(samples)),
    crestFactorDb: rmsLin > 0 ? peakDb - rmsDb : 0,
    lufs: integratedLoudness(samples, sampleRate),
    spectralCentroidHz: magSum > 0 ? magFreq / magSum : 0,
    bandRatios:
      total > 0
        ? { bass: bass / total, mid: mid / total, treble: treble / total }
        : { bass: 0, mid: 0, treble: 0 },
  };
}

/** JSON-safe copy: non-finite numbers (silence) become null. */
export function metricsToJson(m: AudioMetrics): Record<string, unknown> {
  const fix = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);
  return {
    durationSeconds: fix(m.durationSeconds),
    sampleRate: m.sampleRate,
    rmsDb: fix(m.rmsDb),
    peakDb: fix(m.peakDb),
    truePeakDb: fix(m.truePeakDb),
    crestFactorDb: fix(m.crestFactorDb),
    lufs: fix(m.lufs),
    spectralCentroidHz: fix(m.spectralCentroidHz),
    bandRatios: {
      bass: fix(m.bandRatios.bass),
      mid: fix(m.bandRatios.mid),
      treble: fix(m.bandRatios.treble),
    },
  };
}
