import { Architecture, Format, Gear, Size, ToneSort } from "@shootout/tone3000";
import { z } from "zod";
import { INT4_MAX, storedText } from "./common.ts";

// tones.*: Tone 3000's catalogue, seen through the signed-in user's own grant. Inputs are checked
// here before anything is sent upstream; outputs are our camelCase shape, not Tone 3000's wire
// format, so a change there stays in this package.

/** Tone 3000 pages are numbered from 1 and hold at most 25 items. */
const pageFields = {
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(1).max(25).default(10),
};

// Sent on to Tone 3000, never stored: held to the same rule as stored text all the same.
const term = storedText({ min: 1, max: 100 });

export const toneSearchInput = z.object({
  ...pageFields,
  query: storedText({ max: 200 }).optional(),
  sort: ToneSort.optional(),
  gears: z.array(Gear).max(9).optional(),
  format: Format.optional(),
  sizes: z.array(Size).max(5).optional(),
  architecture: Architecture.optional(),
  tags: z.array(term).max(20).optional(),
  makes: z.array(term).max(20).optional(),
  /** Usernames. */
  creators: z.array(term).max(20).optional(),
});
export type ToneSearchInput = z.infer<typeof toneSearchInput>;

/**
 * The user's own (`tones.mine`) or favourite (`tones.favorites`) tones. Tone 3000 pages these and
 * filters nothing (it ignores `gear` and `query`), so paging is all there is.
 */
export const toneLibraryInput = z.object(pageFields).default({ page: 1, pageSize: 10 });

export const toneGetInput = z.object({ id: z.number().int().positive().max(INT4_MAX) });

/** tones.modelInfo: a Tone 3000 model id (a `.nam`). */
export const toneModelInfoInput = z.object({ modelId: z.number().int().positive().max(INT4_MAX) });

/**
 * A tone's models. Without `architecture`: every model of every architecture the tone has (Tone
 * 3000 lists one architecture per request; the router asks for each and merges), paged here.
 */
export const toneModelsInput = z.object({
  ...pageFields,
  toneId: z.number().int().positive().max(INT4_MAX),
  architecture: Architecture.optional(),
});

export const toneCreatorOutput = z.object({
  id: z.string(),
  username: z.string(),
  avatarUrl: z.string().nullable(),
});

/**
 * Enum-like values (gear, format, licence, size) are Tone 3000's strings as they came: a value
 * new upstream is shown, not refused. Lists leave out licence, sizes and visibility (null here);
 * `tones.get` has them.
 */
export const toneOutput = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  gear: z.string().nullable(),
  format: z.string().nullable(),
  license: z.string().nullable(),
  sizes: z.array(z.string()).nullable(),
  makes: z.array(z.string()),
  tags: z.array(z.string()),
  images: z.array(z.string()),
  isPublic: z.boolean().nullable(),
  modelsCount: z.number().int().nullable(),
  /** Models per architecture, when Tone 3000 says (it decides which listings tones.models asks for). */
  counts: z.object({
    a1: z.number().int().nullable(),
    a2: z.number().int().nullable(),
    custom: z.number().int().nullable(),
    irs: z.number().int().nullable(),
  }),
  downloadsCount: z.number().int().nullable(),
  favoritesCount: z.number().int().nullable(),
  url: z.string().nullable(),
  createdAt: z.string().nullable(),
  creator: toneCreatorOutput,
});
export type ToneOutput = z.infer<typeof toneOutput>;

export const toneModelOutput = z.object({
  id: z.number().int(),
  toneId: z.number().int(),
  name: z.string(),
  /** Tone 3000's size ("standard", "feather", ...); null for IRs. */
  size: z.string().nullable(),
  /** Tone 3000's `architecture_version` ("1", "2", "custom"); null for non-NAM files (IRs). */
  architecture: z.string().nullable(),
  /** "nam" (an amp capture), "ir" (a cabinet impulse response) or "other" (neither). */
  kind: z.enum(["nam", "ir", "other"]),
  /** What to call it in a list: "A1 · standard", "A2 · feather", "custom", "IR". */
  label: z.string(),
  /** Whether this build can render it as a shootout tone's amp. */
  renderable: z.boolean(),
  /** Why not, when it cannot ("A2 models are not supported by this build"). */
  unsupportedReason: z.string().nullable(),
});
export type ToneModelOutput = z.infer<typeof toneModelOutput>;

export function tonePageOutput<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
    totalPages: z.number().int(),
  });
}
