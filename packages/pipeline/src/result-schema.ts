import { z } from "zod";

const nullableNumber = z.number().nullable();

/** A tone's measurements as stored in tone_selections.metrics and in the job result. */
export const toneMetricsSchema = z.object({
  /** RMS level, dBFS. */
  rms: nullableNumber,
  /** Sample peak, dBFS. */
  peak: nullableNumber,
  /** 4x-oversampled true peak, dBTP. */
  truePeak: nullableNumber,
  /** Peak over RMS, dB. */
  crestFactor: nullableNumber,
  /** ITU-R BS.1770-4 integrated loudness, LUFS. */
  integratedLufs: nullableNumber,
  /** Hz. */
  spectralCentroid: nullableNumber,
  /** Energy shares of 20–250 Hz, 250 Hz–2 kHz, 2–20 kHz (sum 1). */
  bassRatio: nullableNumber,
  midRatio: nullableNumber,
  trebleRatio: nullableNumber,
  durationSeconds: z.number(),
  /** Loudness before matching, LUFS. */
  lufsBeforeMatch: nullableNumber,
  /** Gain the loudness match and the peak guard applied, dB. */
  gainDb: z.number(),
  /** Deepest gain reduction of the peak limiter that holds the true peak at -1 dBTP, dB (0: untouched). */
  limiterDb: z.number(),
  /** The limiter was not enough and the tone was turned down to -1 dBTP (so it is below the target). */
  peakLimited: z.boolean(),
});
export type ToneMetrics = z.infer<typeof toneMetricsSchema>;

export const outputFileSchema = z.object({
  fileId: z.uuid(),
  name: z.string(),
  format: z.enum(["wav", "flac", "mp4"]),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type OutputFile = z.infer<typeof outputFileSchema>;

export const segmentSchema = z.object({
  /** "Tone A", "Tone B"… in a blind shootout; the tone's display name otherwise. */
  label: z.string(),
  /** Null in a blind shootout: the mapping lives in shootouts.blind_key until the owner reveals it. */
  toneSelectionId: z.uuid().nullable(),
  /**
   * The amp capture as rendered: architecture, Tone 3000 size and, for a slimmable model, the
   * size chosen ("A2, standard, smallest (WaveNet 3 ch)"). Null for a cabinet-only tone and in a
   * blind shootout; absent in results written before it was recorded.
   */
  amp: z.string().nullable().optional(),
  /** The cabinet IR's name (uploaded or Tone 3000); null for an amp-only tone and when blind. */
  cabinet: z.string().nullable().optional(),
  /** Where the segment sits in the joined output. */
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().positive(),
  metrics: toneMetricsSchema,
  /** This tone alone (FLAC, and WAV when asked). */
  files: z.array(outputFileSchema),
});
export type Segment = z.infer<typeof segmentSchema>;

/** What a shootout job stores in jobs.result (the router and web client can parse it with this). */
export const shootoutResultSchema = z.object({
  version: z.literal(1),
  sampleRate: z.number().int(),
  /** Length of the trimmed DI, ms: every segment lasts this long. */
  diDurationMs: z.number().int().nonnegative(),
  /** Silence between two segments of the joined output, ms. */
  gapMs: z.number().int().nonnegative(),
  blind: z.boolean(),
  normalizeLoudness: z.boolean(),
  targetLufs: z.number().nullable(),
  /** Segments in the order they play in the joined output. */
  segments: z.array(segmentSchema),
  /** The joined output (each audio format asked for, FLAC at least) and the MP4 when asked. */
  joined: z.array(outputFileSchema),
  video: outputFileSchema.nullable(),
  /**
   * credits.txt: the author and licence of every capture and IR used. Absent in results written
   * before credits were.
   */
  credits: outputFileSchema
    .extend({ format: z.literal("txt") })
    .nullable()
    .optional(),
  /** What was done to the inputs (mono sum, resampling, trimming, IR scaling). */
  notes: z.array(z.string()),
  /** Seconds per stage, summed over tones where tones ran in parallel threads. */
  timings: z.record(z.string(), z.number()),
});
export type ShootoutResult = z.infer<typeof shootoutResultSchema>;
