import type { ToneSelection } from "./api-types.ts";

/** "by nam_core_examples (cc-by)"; null when Tone 3000 told us neither. */
function byline(source: { author: string | null; license: string | null } | null): string | null {
  if (!source || (!source.author && !source.license)) return null;
  return [source.author ? `by ${source.author}` : null, source.license ? `(${source.license})` : null]
    .filter(Boolean)
    .join(" ");
}

/**
 * Who made what a saved tone uses, and under which licence: "Amp by X (cc-by) · Cab by Y (t3k)".
 * An uploaded IR is the owner's own and has no credit.
 */
export function toneCredit(tone: ToneSelection): string | null {
  const amp = byline(tone.amp);
  const cab = tone.cabinet?.source === "tone3000" ? byline(tone.cabinet) : null;
  const parts = [amp ? `Amp ${amp}` : null, cab ? `Cab ${cab}` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : null;
}
