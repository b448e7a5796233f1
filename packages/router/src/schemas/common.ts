import { z } from "zod";

/** Timestamps leave the server as ISO 8601 strings (no superjson: plain JSON for every client). */
export const isoDateTime = z.iso.datetime({ offset: true });

export const toIso = (d: Date | string): string =>
  typeof d === "string" ? new Date(d).toISOString() : d.toISOString();

/** Opaque; produced by a previous page's `nextCursor`. */
export const cursorInput = z.string().min(1).max(200);

export const pageInput = z.object({
  cursor: cursorInput.nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});

export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
