import path from "node:path";

/** The repository's absolute path: a server path in an answer gives the deployment away. */
const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");

const SQL_TEXT =
  /invalid byte sequence for encoding|out of range for type|date\/time field value out of range|violates (?:foreign key|unique|check|not-null) constraint|syntax error at or near|invalid input syntax for type|relation "[^"]+" does not exist|column "[^"]+" does not exist|current transaction is aborted|\b(?:select|insert into|delete from) [^"]*\b(?:from|values|where)\b/i;

/** What an answer's text gives away that it must not: stacks, server paths, database messages. */
export function leaksIn(text: string): string[] {
  const leaks: string[] = [];
  if (/"stack"\s*:/.test(text)) leaks.push("a stack trace (`stack`)");
  if (/\bat (?:async )?[^\s"()]+ \([^)"]*:\d+:\d+\)/.test(text)) leaks.push("stack frames");
  if (text.includes(REPO_ROOT) || /\/work\/|node_modules|file:\/\/\//.test(text)) leaks.push("a server path");
  if (SQL_TEXT.test(text)) leaks.push("database error text");
  return leaks;
}

/** tRPC codes whose HTTP status is 5xx. */
export const SERVER_ERROR_CODES = new Set([
  "INTERNAL_SERVER_ERROR",
  "NOT_IMPLEMENTED",
  "BAD_GATEWAY",
  "SERVICE_UNAVAILABLE",
  "GATEWAY_TIMEOUT",
]);

export interface Finding {
  readonly key: string;
  count: number;
  readonly example: { where: string; input: string; answer: string };
  readonly where: Map<string, number>;
}

const normalize = (message: string) =>
  message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>")
    .replace(/\d+/g, "<n>")
    .slice(0, 160);

const clip = (text: string, max = 400) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/**
 * Distinct failures, grouped by what went wrong (one line per cause, not per case), each with
 * one example input and answer and where it happened.
 */
export class Findings {
  readonly #byKey = new Map<string, Finding>();

  add(kind: string, detail: string, where: string, input: string, answer: string): void {
    const key = `${kind}: ${normalize(detail)}`;
    let finding = this.#byKey.get(key);
    if (!finding) {
      finding = {
        key,
        count: 0,
        example: { where, input: clip(input), answer: clip(answer) },
        where: new Map(),
      };
      this.#byKey.set(key, finding);
    }
    finding.count++;
    finding.where.set(where, (finding.where.get(where) ?? 0) + 1);
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** One paragraph per finding, most frequent first. */
  report(): string {
    return [...this.#byKey.values()]
      .sort((a, b) => b.count - a.count)
      .map((f) => {
        const places = [...f.where]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([w, n]) => `${w} ×${n}`)
          .join(", ");
        return [
          `● ${f.key} — ${f.count} case(s)`,
          `    where: ${places}${f.where.size > 12 ? `, … (${f.where.size} places)` : ""}`,
          `    e.g. ${f.example.where} input ${f.example.input}`,
          `    answer ${f.example.answer}`,
        ].join("\n");
      })
      .join("\n");
  }
}
