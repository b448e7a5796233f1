import type { JobStatus } from "./api-types.ts";

/** One line of a job's progress as the page shows it. */
export interface ProgressEntry {
  readonly seq: number;
  readonly status: JobStatus;
  readonly progress: number;
  readonly message: string;
  readonly at: string;
}

/** What the page remembers about a job across reloads: every event seen, in seq order. */
export interface ProgressLog {
  readonly lastSeq: number;
  readonly entries: readonly ProgressEntry[];
}

export const EMPTY_LOG: ProgressLog = { lastSeq: 0, entries: [] };

/** Adds an event unless it has been seen (same seq): a replay after a reconnect adds nothing. */
export function appendEntry(log: ProgressLog, entry: ProgressEntry): ProgressLog {
  if (log.entries.some((e) => e.seq === entry.seq)) return log;
  const entries = [...log.entries, entry].sort((a, b) => a.seq - b.seq);
  return { lastSeq: Math.max(log.lastSeq, entry.seq), entries };
}

/** The latest state the log knows, or null before the first event. */
export function latestEntry(log: ProgressLog): ProgressEntry | null {
  return log.entries.at(-1) ?? null;
}

const STATUSES: readonly string[] = ["pending", "queued", "running", "completed", "failed", "cancelled"];

function isEntry(value: unknown): value is ProgressEntry {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.seq === "number" &&
    typeof v.status === "string" &&
    STATUSES.includes(v.status) &&
    typeof v.progress === "number" &&
    typeof v.message === "string" &&
    typeof v.at === "string"
  );
}

/** Parses a stored log; anything damaged or foreign reads as empty (the server backfills it). */
export function parseLog(raw: string | null): ProgressLog {
  if (!raw) return EMPTY_LOG;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return EMPTY_LOG;
    const entries = Reflect.get(value, "entries");
    if (!Array.isArray(entries) || !entries.every(isEntry)) return EMPTY_LOG;
    return entries.reduce<ProgressLog>((log, entry) => appendEntry(log, entry), EMPTY_LOG);
  } catch {
    return EMPTY_LOG;
  }
}
