import { z } from "zod";
import { isoDateTime, pageInput, pageOutput, storedText } from "./common.ts";
import { effectSchema } from "./effects.ts";

export const MIN_TONES = 2;
export const MAX_TONES = 12;
export const SAMPLE_RATES = [44100, 48000, 88200, 96000] as const;
export const OUTPUT_FORMATS = ["wav", "flac", "mp4"] as const;

const optionalText = (max: number) =>
  storedText({ max })
    .nullish()
    .transform((v) => (v ? v : null));

/**
 * The size a slimmable capture (an A2 export: several sizes in one file) renders at: NAM's slim
 * value 0..1 (0 = smallest, 1 = full, as NAM Core's `render --slim`), or "smallest" / "full".
 * Stored as the value; null (not given, or "full") is the full size, NAM Core's default.
 */
export const ampSizeInput = z
  .union([z.number().min(0).max(1), z.enum(["smallest", "full"])])
  .nullish()
  .transform((v) => (v === "smallest" ? 0 : v === "full" || v === 1 || v == null ? null : v));

export const toneSelectionInput = z.object({
  tone3000ToneId: storedText({ min: 1, max: 200 }),
  tone3000ModelId: storedText({ min: 1, max: 200 }),
  displayName: storedText({ min: 1, max: 200 }),
  modelSize: optionalText(50),
  architecture: optionalText(50),
  ampSize: ampSizeInput,
  /** A cabinet IR the caller uploaded (kind "ir"); none renders the amp capture alone. */
  irFileId: z
    .uuid()
    .nullish()
    .transform((v) => v ?? null),
  /** 80 Hz high-pass before the amp, as the original pipeline did. */
  highpass: z.boolean().default(true),
  effects: z.array(effectSchema).max(16).default([]),
});
export type ToneSelectionInput = z.input<typeof toneSelectionInput>;

const tones = z
  .array(toneSelectionInput)
  .min(MIN_TONES, `a shootout needs at least ${MIN_TONES} tones`)
  .max(MAX_TONES, `a shootout takes at most ${MAX_TONES} tones`);

const outputFormats = z
  .array(z.enum(OUTPUT_FORMATS))
  .min(1, "pick at least one output format")
  .refine((v) => new Set(v).size === v.length, "output formats must not repeat");

// One definition per field; create applies defaults, update makes every field optional.
const fields = {
  name: storedText({ min: 1, max: 200 }),
  description: storedText({ max: 5000, multiline: true }),
  diFileId: z.uuid(),
  guitar: optionalText(200),
  pickup: optionalText(200),
  sampleRate: z.union(SAMPLE_RATES.map((r) => z.literal(r))),
  outputFormats,
  normalizeLoudness: z.boolean(),
  targetLufs: z.number().min(-60).max(0),
  isPublic: z.boolean(),
  blind: z.boolean(),
  tones,
};

/** A new shootout. The CLI validates its config files with this too. */
export const shootoutCreateInput = z.object({
  ...fields,
  description: fields.description.default(""),
  sampleRate: fields.sampleRate.default(48000),
  outputFormats: fields.outputFormats.default(["flac"]),
  normalizeLoudness: fields.normalizeLoudness.default(true),
  targetLufs: fields.targetLufs.default(-18),
  isPublic: fields.isPublic.default(false),
  blind: fields.blind.default(false),
});
export type ShootoutCreateInput = z.input<typeof shootoutCreateInput>;
export type ShootoutCreate = z.output<typeof shootoutCreateInput>;

/** Changes to a shootout; `tones`, when given, replaces the whole ordered list. */
export const shootoutUpdateInput = z.object({
  shootoutId: z.uuid(),
  name: fields.name.optional(),
  description: fields.description.optional(),
  diFileId: fields.diFileId.optional(),
  guitar: fields.guitar.optional(),
  pickup: fields.pickup.optional(),
  sampleRate: fields.sampleRate.optional(),
  outputFormats: fields.outputFormats.optional(),
  normalizeLoudness: fields.normalizeLoudness.optional(),
  targetLufs: fields.targetLufs.optional(),
  isPublic: fields.isPublic.optional(),
  blind: fields.blind.optional(),
  tones: fields.tones.optional(),
});
export type ShootoutUpdateInput = z.input<typeof shootoutUpdateInput>;
export type ShootoutUpdate = z.output<typeof shootoutUpdateInput>;

export const shootoutIdInput = z.object({ shootoutId: z.uuid() });
export const shootoutsListInput = pageInput;

/** Per-tone measurements the worker writes after rendering. */
export const toneMetrics = z.looseObject({
  rms: z.number().nullable().optional(),
  peak: z.number().nullable().optional(),
  crestFactor: z.number().nullable().optional(),
  integratedLufs: z.number().nullable().optional(),
  spectralCentroid: z.number().nullable().optional(),
  bassRatio: z.number().nullable().optional(),
  midRatio: z.number().nullable().optional(),
  trebleRatio: z.number().nullable().optional(),
});

export const toneSelectionOutput = z.object({
  id: z.uuid(),
  position: z.number().int().min(0),
  tone3000ToneId: z.string(),
  tone3000ModelId: z.string(),
  displayName: z.string(),
  modelSize: z.string().nullable(),
  architecture: z.string().nullable(),
  /** The amp's chosen size (slim value 0..1, 0 = smallest); null = full size. */
  ampSlim: z.number().min(0).max(1).nullable(),
  /** Null for anyone but the owner: another user's file ids are never handed out. */
  irFileId: z.uuid().nullable(),
  /** Whether the tone goes through a cabinet IR (for everyone who can see the shootout). */
  hasIr: z.boolean(),
  /**
   * The IR's name as uploaded, for everyone who can see the shootout: the video's title cards
   * show it too. Null without an IR.
   */
  irName: z.string().nullable(),
  highpass: z.boolean(),
  effects: z.array(z.string()),
  /**
   * Where this tone sits in the joined output, and its measurements; null until rendered, and
   * kept null in a blind shootout until it is revealed (the timing would give the order away).
   */
  startMs: z.number().int().nullable(),
  endMs: z.number().int().nullable(),
  metrics: toneMetrics.nullable(),
});
export type ToneSelectionOutput = z.infer<typeof toneSelectionOutput>;

export const shootoutOutput = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  /** Whether the caller owns it (and so may update, delete, render and reveal it). */
  isOwner: z.boolean(),
  name: z.string(),
  description: z.string(),
  /** Null for anyone but the owner: another user's file ids are never handed out. */
  diFileId: z.uuid().nullable(),
  guitar: z.string().nullable(),
  pickup: z.string().nullable(),
  sampleRate: z.number().int(),
  outputFormats: z.array(z.enum(OUTPUT_FORMATS)),
  normalizeLoudness: z.boolean(),
  targetLufs: z.number(),
  isPublic: z.boolean(),
  blind: z.boolean(),
  revealedAt: isoDateTime.nullable(),
  processedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  tones: z.array(toneSelectionOutput),
});
export type ShootoutOutput = z.infer<typeof shootoutOutput>;

export const shootoutsListOutput = pageOutput(shootoutOutput);

/** shootouts.latestResult: the newest completed render (its jobs.result), or null before any. */
export const shootoutResultOutput = z
  .object({
    jobId: z.uuid(),
    finishedAt: isoDateTime,
    /** As the render pipeline wrote it (packages/pipeline's shootoutResultSchema). */
    result: z.json().nullable(),
  })
  .nullable();
export type ShootoutResultOutput = z.infer<typeof shootoutResultOutput>;

export const shootoutRevealOutput = z.object({
  shootoutId: z.uuid(),
  blind: z.boolean(),
  /** The shuffled order the worker wrote; null until a blind render has produced one. */
  blindKey: z.json().nullable(),
  revealedAt: isoDateTime.nullable(),
});
