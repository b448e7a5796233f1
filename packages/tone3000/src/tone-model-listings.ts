import type { Tone } from "./schemas.ts";

/**
 * The `GET /models?tone_id=` listings a tone needs: the API lists A1 models (and IR files) unless
 * asked for `architecture=2` or `custom`, and has no "all". "default" is the unfiltered listing.
 */
export type ModelListing = "default" | "2" | "custom";

/**
 * Which listings to ask for, from the tone's per-architecture counts. A tone without counts
 * (an answer that left them out) gets every listing: one empty page costs less than a missing model.
 */
export function modelListingsOf(tone: Partial<Tone>): ModelListing[] {
  const counts = [tone.a1_models_count, tone.a2_models_count, tone.custom_models_count, tone.irs_count];
  if (counts.every((c) => c === null || c === undefined)) return ["default", "2", "custom"];
  const has = (c: number | null | undefined) => (c ?? 0) > 0;
  const listings: ModelListing[] = [];
  // IR files come with the default listing; so does anything the counts do not name.
  if (has(tone.a1_models_count) || has(tone.irs_count) || !counts.some(has)) listings.push("default");
  if (has(tone.a2_models_count)) listings.push("2");
  if (has(tone.custom_models_count)) listings.push("custom");
  return listings;
}
