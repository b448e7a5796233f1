import { z } from "zod";
import { CursorError, decodeCursor } from "../domain/pagination.ts";

/** Timestamps leave the server as ISO 8601 strings (no superjson: plain JSON for every client). */
export const isoDateTime = z.iso.datetime({ offset: true });

export const toIso = (d: Date | string): string =>
  typeof d === "string" ? new Date(d).toISOString() : d.toISOString();

/** The largest value a Postgres `integer` column holds: every integer input that reaches one stays below. */
export const INT4_MAX = 2_147_483_647;

/**
 * A number for a Postgres `real` (float4) column, within `min`..`max`. A non-zero value too small
 * for float4 (1e-252) passes any range check, yet Postgres refuses it ("out of range for type
 * real"): refused here as a zod issue on the field instead.
 */
export function storedReal({ min, max }: { min: number; max: number }) {
  return z
    .number()
    .min(min)
    .max(max)
    .refine((v) => v === 0 || Math.fround(v) !== 0, { message: "too close to zero to store; send 0" });
}

/** A C0 control or DEL; tab, line feed and carriage return pass where lines are text (`multiline`). */
function hasControlCharacter(text: string, multiline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code !== 0x7f) continue;
    if (multiline && (code === 0x09 || code === 0x0a || code === 0x0d)) continue;
    return true;
  }
  return false;
}

/**
 * A string that is stored (or sent on) as text. Postgres text cannot hold NUL ("invalid byte
 * sequence for encoding UTF8: 0x00" is a failed query, i.e. a 500), so it is refused here, as an
 * issue on the field, with every other control character a one-line field has no use for.
 * Lone UTF-16 surrogates are refused too: they are not text, and on the way to UTF-8 the driver
 * would silently replace them with U+FFFD, storing something other than what was sent.
 * Trimmed first, so `min` counts what remains.
 */
export function storedText(options: { min?: number; max: number; multiline?: boolean }) {
  const multiline = options.multiline ?? false;
  return z
    .string()
    .trim()
    .min(options.min ?? 0)
    .max(options.max)
    .refine((v) => !hasControlCharacter(v, multiline), "must not contain control characters")
    .refine((v) => v.isWellFormed(), "must be valid Unicode text (no lone surrogates)");
}

/** Opaque; produced by a previous page's `nextCursor`. Checked whole here, so a forged one is a 400 before any query. */
export const cursorInput = z
  .string()
  .min(1)
  .max(200)
  .superRefine((cursor, ctx) => {
    try {
      decodeCursor(cursor);
    } catch (error) {
      if (!(error instanceof CursorError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });

export const pageInput = z.object({
  cursor: cursorInput.nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});

export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
