import { z } from "zod";
import { isoDateTime, pageInput, pageOutput, storedReal, storedText } from "./common.ts";
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
  .union([storedReal({ min: 0, max: 1 }), z.enum(["smallest", "full"])])
  .nullish()
  .transform((v) => (v === "smallest" ? 0 : v === "full" || v === 1 || v == null ? null : v));

const tone3000Ids = {
  tone3000ToneId: storedText({ min: 1, max: 200 }),
  tone3000ModelId: storedText({ min: 1, max: 200 }),
};

/** The amp: a Tone 3000 NAM model (tone id + model id), its declared architecture and size. */
export const ampInput = z.object({
  ...tone3000Ids,
  /** Tone 3000's size name ("standard", "feather"), as listed. */
  modelSize: optionalText(50),
  /** Tone 3000's architecture_version ("1", "2", "custom") or an engine name. */
  architecture: optionalText(50),
  size: ampSizeInput,
});
export type AmpInput = z.input<typeof ampInput>;

/** The cabinet: a Tone 3000 IR, or an IR the caller uploaded (kind "ir"). */
export const cabinetInput = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("tone3000"),
    ...tone3000Ids,
    /** The IR's name as Tone 3000 lists it (title cards and segment names show it). */
    name: optionalText(200),
  }),
  z.object({ source: z.literal("upload"), irFileId: z.uuid() }),
]);
export type CabinetInput = z.input<typeof cabinetInput>;

/**
 * A tone: an amp and/or a cabinet, at least one. `amp` and `cabinet` are the shape to send.
 * The older flat shape (`tone3000ToneId` + `tone3000ModelId` for the amp, `modelSize`,
 * `architecture`, `ampSize`, `irFileId` for an uploaded cabinet) is still read, so saved CLI
 * specs keep working; the two are not mixed in one tone.
 */
export const toneSelectionFields = z.object({
  displayName: storedText({ min: 1, max: 200 }),
  amp: ampInput.nullish(),
  cabinet: cabinetInput.nullish(),
  /** 80 Hz high-pass before the amp, as the original pipeline did. */
  highpass: z.boolean().default(true),
  effects: z.array(effectSchema).max(16).default([]),
  // The older flat shape.
  tone3000ToneId: tone3000Ids.tone3000ToneId.optional(),
  tone3000ModelId: tone3000Ids.tone3000ModelId.optional(),
  modelSize: optionalText(50),
  architecture: optionalText(50),
  ampSize: ampSizeInput,
  irFileId: z
    .uuid()
    .nullish()
    .transform((v) => v ?? null),
});

export const toneSelectionInput = toneSelectionFields
  .superRefine((tone, ctx) => {
    const flatAmp = tone.tone3000ToneId !== undefined || tone.tone3000ModelId !== undefined;
    if (flatAmp && tone.amp) {
      ctx.addIssue({
        code: "custom",
        path: ["amp"],
        message: "give the amp as `amp` or as the flat fields, not both",
      });
    }
    if (tone.irFileId && tone.cabinet) {
      ctx.addIssue({
        code: "custom",
        path: ["cabinet"],
        message: "give the cabinet as `cabinet` or as `irFileId`, not both",
      });
    }
    if (flatAmp && (tone.tone3000ToneId === undefined || tone.tone3000ModelId === undefined)) {
      const missing = tone.tone3000ToneId === undefined ? "tone3000ToneId" : "tone3000ModelId";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "an amp needs both a tone id and a model id",
      });
    }
    if (!flatAmp && !tone.amp && !tone.cabinet && !tone.irFileId) {
      ctx.addIssue({ code: "custom", path: ["amp"], message: "a tone needs an amp, a cabinet, or both" });
    }
  })
  .transform((tone) => {
    const amp = tone.amp
      ? { ...tone.amp, slim: tone.amp.size }
      : tone.tone3000ToneId !== undefined && tone.tone3000ModelId !== undefined
        ? {
            tone3000ToneId: tone.tone3000ToneId,
            tone3000ModelId: tone.tone3000ModelId,
            modelSize: tone.modelSize,
            architecture: tone.architecture,
            slim: tone.ampSize,
          }
        : null;
    const cabinet =
      tone.cabinet ?? (tone.irFileId ? { source: "upload" as const, irFileId: tone.irFileId } : null);
    return {
      displayName: tone.displayName,
      amp: amp && {
        tone3000ToneId: amp.tone3000ToneId,
        tone3000ModelId: amp.tone3000ModelId,
        modelSize: amp.modelSize,
        architecture: amp.architecture,
        slim: amp.slim,
      },
      cabinet,
      highpass: tone.highpass,
      effects: tone.effects,
      /** Which shape the caller sent, so refusals name the field they sent. */
      flat: tone.amp == null && tone.cabinet == null,
    };
  });

/** Where a tone's amp field or uploaded IR field was, in the shape the caller sent. */
export function toneFieldPath(
  tone: { flat: boolean },
  field: "architecture" | "tone3000ModelId" | "irFileId" | "cabinetModelId",
): string[] {
  if (field === "cabinetModelId") return ["cabinet", "tone3000ModelId"];
  if (field === "irFileId") return tone.flat ? ["irFileId"] : ["cabinet", "irFileId"];
  return tone.flat ? [field] : ["amp", field];
}
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
  targetLufs: storedReal({ min: -60, max: 0 }),
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

/** As Tone 3000 gave them when the shootout was saved ("cc-by", "t3k"…; the creator's username). */
const attribution = {
  license: z.string().nullable(),
  author: z.string().nullable(),
};

export const ampOutput = z.object({
  tone3000ToneId: z.string(),
  tone3000ModelId: z.string(),
  modelSize: z.string().nullable(),
  architecture: z.string().nullable(),
  /** The chosen size (slim value 0..1, 0 = smallest); null = full size. */
  slim: z.number().min(0).max(1).nullable(),
  ...attribution,
});

export const cabinetOutput = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("tone3000"),
    tone3000ToneId: z.string(),
    tone3000ModelId: z.string(),
    name: z.string().nullable(),
    ...attribution,
  }),
  z.object({
    source: z.literal("upload"),
    /** Null for anyone but the owner: another user's file ids are never handed out. */
    irFileId: z.uuid().nullable(),
    /** The IR's name as uploaded. */
    name: z.string().nullable(),
  }),
]);

export const toneSelectionOutput = z.object({
  id: z.uuid(),
  position: z.number().int().min(0),
  displayName: z.string(),
  /** The amp (a Tone 3000 NAM model), or null for a cabinet-only tone. */
  amp: ampOutput.nullable(),
  /** The cabinet (a Tone 3000 IR or an uploaded one), or null for an amp-only tone. */
  cabinet: cabinetOutput.nullable(),
  /** The amp's ids, size and architecture, flat as before (null without an amp). */
  tone3000ToneId: z.string().nullable(),
  tone3000ModelId: z.string().nullable(),
  modelSize: z.string().nullable(),
  architecture: z.string().nullable(),
  /** The amp's chosen size (slim value 0..1, 0 = smallest); null = full size. */
  ampSlim: z.number().min(0).max(1).nullable(),
  /** An uploaded cabinet IR. Null for anyone but the owner: another user's file ids are never handed out. */
  irFileId: z.uuid().nullable(),
  /** Whether the tone goes through a cabinet IR (for everyone who can see the shootout). */
  hasIr: z.boolean(),
  /**
   * The cabinet's name (as uploaded, or as Tone 3000 lists it), for everyone who can see the
   * shootout: the video's title cards show it too. Null without a cabinet.
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
