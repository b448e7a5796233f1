import type { AudioMetrics } from "@shootout/audio";
import type { ToneMetrics } from "./result-schema.ts";
import type { ChainStats } from "./tone-chain.ts";

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const finite = (v: number, digits = 3) => (Number.isFinite(v) ? round(v, digits) : null);

/** The audio package's metrics in the stored shape (the router's toneMetrics keys), JSON-safe. */
export function toToneMetrics(m: AudioMetrics, stats: ChainStats): ToneMetrics {
  return {
    rms: finite(m.rmsDb),
    peak: finite(m.peakDb),
    truePeak: finite(m.truePeakDb),
    crestFactor: finite(m.crestFactorDb),
    integratedLufs: finite(m.lufs),
    spectralCentroid: finite(m.spectralCentroidHz, 1),
    bassRatio: finite(m.bandRatios.bass, 4),
    midRatio: finite(m.bandRatios.mid, 4),
    trebleRatio: finite(m.bandRatios.treble, 4),
    durationSeconds: round(m.durationSeconds, 4),
    lufsBeforeMatch: stats.lufsBefore === null ? null : round(stats.lufsBefore),
    gainDb: round(stats.gainDb),
    limiterDb: round(stats.limiterDb, 2),
    peakLimited: stats.peakLimited,
  };
}
