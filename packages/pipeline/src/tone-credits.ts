import type { ToneSelections } from "@shootout/db";
import type { Selectable } from "kysely";
import type { AudioTags } from "./audio-tags.ts";

type Tone = Selectable<ToneSelections>;

/** One source a tone uses (its amp or its cabinet), credited as Tone 3000 gave it when saved. */
export interface CreditedSource {
  readonly role: "Amp" | "Cab";
  /** "A2, standard, full (WaveNet 8 ch)", or the IR's name. */
  readonly name: string;
  readonly toneId: string | null;
  readonly modelId: string | null;
  readonly author: string | null;
  readonly license: string | null;
}

/** What a tone uses, amp first, with its author and licence (an uploaded IR has neither). */
export function creditedSources(
  tone: Tone,
  ampName: string | null,
  cabName: string | null,
): CreditedSource[] {
  const out: CreditedSource[] = [];
  if (ampName !== null) {
    out.push({
      role: "Amp",
      name: ampName,
      toneId: tone.tone3000ToneId,
      modelId: tone.tone3000ModelId,
      author: tone.ampAuthor,
      license: tone.ampLicense,
    });
  }
  if (cabName !== null) {
    const fromTone3000 = tone.cabTone3000ModelId !== null;
    out.push({
      role: "Cab",
      name: cabName,
      toneId: fromTone3000 ? tone.cabTone3000ToneId : null,
      modelId: fromTone3000 ? tone.cabTone3000ModelId : null,
      author: fromTone3000 ? tone.cabAuthor : null,
      license: fromTone3000 ? tone.cabLicense : null,
    });
  }
  return out;
}

/** "by nam-core-examples, licence cc-by" (what is known of it). */
const byline = (s: CreditedSource) =>
  [s.author ? `by ${s.author}` : null, s.license ? `licence ${s.license}` : null].filter(Boolean).join(", ");

/** A title card's credit line: "Amp by nam-core-examples (cc-by)  ·  Cab by t3k-community (t3k)". */
export function cardCredit(sources: readonly CreditedSource[]): string | null {
  const parts = sources
    .filter((s) => s.author || s.license)
    .map((s) => `${s.role} by ${s.author ?? "unknown"}${s.license ? ` (${s.license})` : ""}`);
  return parts.length > 0 ? parts.join("  ·  ") : null;
}

/** The per-tone file's tags: title, the authors, the licences, and what it is made of. */
export function toneTags(title: string, sources: readonly CreditedSource[]): AudioTags {
  const authors = [...new Set(sources.flatMap((s) => (s.author ? [s.author] : [])))];
  const licences = sources.filter((s) => s.license).map((s) => `${s.role.toLowerCase()}: ${s.license}`);
  return {
    title,
    artist: authors.length > 0 ? authors.join(" / ") : null,
    license: licences.length > 0 ? licences.join("; ") : null,
    comment:
      sources.map((s) => `${s.role}: ${s.name}${byline(s) ? ` (${byline(s)})` : ""}`).join("; ") || null,
    software: "shootout",
  };
}

const sourceLine = (s: CreditedSource) =>
  [
    `  ${s.role}: ${s.name}`,
    s.toneId ? `Tone 3000 tone ${s.toneId}, model ${s.modelId}` : "uploaded by the shootout's owner",
    `author: ${s.author ?? "unknown"}`,
    `licence: ${s.license ?? "unknown"}`,
  ].join(" | ");

/**
 * credits.txt among the downloads: who made each capture and IR and under which licence. In a
 * blind shootout the sources are listed without saying which tone used them (that would give the
 * order away).
 */
export function creditsText(
  shootoutName: string,
  tones: readonly { label: string; sources: readonly CreditedSource[] }[],
  blind: boolean,
): string {
  const lines = [`Credits for "${shootoutName}"`, ""];
  if (blind) {
    const unique = new Map<string, CreditedSource>();
    for (const t of tones) for (const s of t.sources) unique.set(sourceLine(s), s);
    lines.push("Captures and IRs used (tones are listed when the shootout is revealed):");
    lines.push(...[...unique.keys()].sort());
  } else {
    for (const t of tones) {
      lines.push(t.label);
      lines.push(...t.sources.map(sourceLine));
    }
  }
  lines.push("", "Respect each licence when you share these files (CC BY: credit the author).", "");
  return lines.join("\n");
}
