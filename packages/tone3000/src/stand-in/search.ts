import { z } from "zod";
import { Architecture, Format, Gear, Size, ToneSort } from "../schemas.ts";
import type { CatalogTone } from "./catalog.ts";

// Query parameters of the list endpoints, checked the way the API does (400 on nonsense).

const pageFields = {
  page: z.coerce.number().int().min(1, "page must be at least 1").default(1),
  page_size: z.coerce
    .number()
    .int()
    .min(1, "page_size must be between 1 and 25")
    .max(25, "page_size must be between 1 and 25")
    .default(10),
};

/** "a_b" or "a,b" → ["a", "b"] */
const list = <T extends z.ZodType<unknown, string>>(item: T, separator: RegExp) =>
  z
    .string()
    .transform((s) =>
      s
        .split(separator)
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    )
    .pipe(z.array(item))
    .optional();

export const SearchQuery = z.object({
  ...pageFields,
  query: z.string().trim().optional(),
  sort: ToneSort.optional(),
  // `gear` is the older single-valued spelling.
  gears: list(Gear, /[_,]/).optional(),
  gear: list(Gear, /[_,]/).optional(),
  format: Format.optional(),
  sizes: list(Size, /[_,]/),
  architecture: list(Architecture, /[_,]/),
  tags: list(z.string(), /[_,]/),
  makes: list(z.string(), /[_,]/),
  creators: list(z.string(), /,/),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** `favorited` and `created` take paging only; anything else is ignored, as the live API does. */
export const LibraryQuery = z.object(pageFields);

export const ModelsQuery = z.object({
  ...pageFields,
  tone_id: z.coerce.number({ error: "tone_id is required" }).int(),
  architecture: list(Architecture, /[_,]/),
});

function text(tone: CatalogTone): { title: string; description: string; tags: string } {
  return {
    title: tone.title.toLowerCase(),
    description: (tone.description ?? "").toLowerCase(),
    tags: tone.tags.join(" ").toLowerCase(),
  };
}

/** Every query word must occur in the title, description or tags; the score ranks best-match. */
export function matchScore(tone: CatalogTone, query: string): number | undefined {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const t = text(tone);
  let score = 0;
  for (const word of words) {
    const inTitle = t.title.includes(word);
    const inTags = t.tags.includes(word);
    const inDescription = t.description.includes(word);
    if (!inTitle && !inTags && !inDescription) return undefined;
    score += (inTitle ? 3 : 0) + (inTags ? 2 : 0) + (inDescription ? 1 : 0);
  }
  return score;
}

export function searchTones(
  tones: CatalogTone[],
  q: SearchQuery,
  usernameOf: (userId: string) => string,
): CatalogTone[] {
  const lower = (values: string[] | undefined) => values?.map((v) => v.toLowerCase());
  const gears = q.gears ?? q.gear;
  const tags = lower(q.tags);
  const makes = lower(q.makes);
  const creators = lower(q.creators);
  const scores = new Map<number, number>();
  const hits = tones.filter((tone) => {
    if (q.query) {
      const score = matchScore(tone, q.query);
      if (score === undefined) return false;
      scores.set(tone.id, score);
    }
    if (gears?.length && !gears.includes(tone.gear)) return false;
    if (q.format && tone.format !== q.format) return false;
    if (q.sizes?.length && !tone.models.some((m) => m.size !== null && q.sizes!.includes(m.size)))
      return false;
    if (
      q.architecture?.length &&
      !tone.models.some(
        (m) => m.architecture_version !== null && q.architecture!.includes(m.architecture_version),
      )
    )
      return false;
    if (tags?.length && !tone.tags.some((t) => tags.includes(t.toLowerCase()))) return false;
    if (makes?.length && !tone.makes.some((m) => makes.includes(m.toLowerCase()))) return false;
    if (creators?.length && !creators.includes(usernameOf(tone.user_id).toLowerCase())) return false;
    return true;
  });
  const sort = q.sort ?? (q.query ? "best-match" : "trending");
  const byId = (a: CatalogTone, b: CatalogTone) => a.id - b.id;
  const compare: Record<typeof sort, (a: CatalogTone, b: CatalogTone) => number> = {
    "best-match": (a, b) =>
      (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) ||
      b.downloads_count - a.downloads_count ||
      byId(a, b),
    newest: (a, b) => b.created_at.localeCompare(a.created_at) || byId(a, b),
    oldest: (a, b) => a.created_at.localeCompare(b.created_at) || byId(a, b),
    trending: (a, b) =>
      b.favorites_count - a.favorites_count || b.downloads_count - a.downloads_count || byId(a, b),
    "downloads-all-time": (a, b) => b.downloads_count - a.downloads_count || byId(a, b),
  };
  return hits.sort(compare[sort]);
}
