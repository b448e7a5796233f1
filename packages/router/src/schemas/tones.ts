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

/** The user's own (`tones.mine`) or favourite (`tones.favorites`) tones. */
export const toneLibraryInput = z
  .object({
    ...pageFields,
    gear: Gear.optional(),
    query: storedText({ max: 200 }).optional(),
  })
  .default({ page: 1, pageSize: 10 });

export const toneGetInput = z.object({ id: z.number().int().positive().max(INT4_MAX) });

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

export const toneOutput = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  gear: Gear,
  format: Format,
  license: z.string(),
  sizes: z.array(Size),
  makes: z.array(z.string()),
  tags: z.array(z.string()),
  images: z.array(z.string()),
  isPublic: z.boolean().nullable(),
  modelsCount: z.number().int(),
  downloadsCount: z.number().int(),
  favoritesCount: z.number().int(),
  url: z.string(),
  createdAt: z.string().nullable(),
  creator: toneCreatorOutput,
});
export type ToneOutput = z.infer<typeof toneOutput>;

export const toneModelOutput = z.object({
  id: z.number().int(),
  toneId: z.number().int(),
  name: z.string(),
  size: Size,
  /** null for non-NAM files (IRs). */
  architecture: Architecture.nullable(),
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
