import type { FileInfo, Job, ToneSelection } from "./api-types.ts";

/** A job's output files sorted by what the results page does with them. */
export interface JobOutputs {
  /** The joined audio (a segment per tone), one per audio format asked for. */
  readonly joined: readonly FileInfo[];
  /** Per-tone audio files by tone selection id. */
  readonly perTone: ReadonlyMap<string, readonly FileInfo[]>;
  readonly video: FileInfo | null;
  /** Anything else the worker wrote (still downloadable). */
  readonly other: readonly FileInfo[];
}

/** What `jobs.result` may say about one output; the worker's own words win over guessing. */
interface ResultOutput {
  fileId: string;
  toneSelectionId: string | null;
  position: number | null;
  role: string | null;
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const int = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);

function resultOutputs(result: Job["result"]): ResultOutput[] {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return [];
  const outputs = (result as Record<string, unknown>).outputs;
  if (!Array.isArray(outputs)) return [];
  const found: ResultOutput[] = [];
  for (const item of outputs) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) continue;
    const o = item as Record<string, unknown>;
    const fileId = text(o.fileId) ?? text(o.id);
    if (!fileId) continue;
    found.push({
      fileId,
      toneSelectionId: text(o.toneSelectionId) ?? text(o.toneId),
      position: int(o.position) ?? int(o.tonePosition) ?? int(o.index),
      role: text(o.role) ?? text(o.kind) ?? text(o.type),
    });
  }
  return found;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");

/**
 * Sorts the job's files: by what `jobs.result.outputs` says (file id → role / tone) when it says
 * it, else by their nature: video by MIME type, a per-tone file by the tone's name in its file
 * name, and the joined file as the remaining audio.
 */
export function classifyOutputs(
  job: Job,
  files: readonly FileInfo[],
  tones: readonly ToneSelection[],
): JobOutputs {
  const described = new Map(resultOutputs(job.result).map((o) => [o.fileId, o]));
  const joined: FileInfo[] = [];
  const perTone = new Map<string, FileInfo[]>();
  const other: FileInfo[] = [];
  let video: FileInfo | null = null;
  const addTone = (toneId: string, file: FileInfo) =>
    perTone.set(toneId, [...(perTone.get(toneId) ?? []), file]);

  for (const file of files) {
    if (file.mime.startsWith("video/")) {
      video ??= file;
      continue;
    }
    if (!file.mime.startsWith("audio/")) {
      other.push(file);
      continue;
    }
    const said = described.get(file.id);
    const tone =
      tones.find((t) => said?.toneSelectionId === t.id) ??
      tones.find(
        (t) => said?.position !== null && said?.position !== undefined && t.position === said.position,
      );
    if (tone) {
      addTone(tone.id, file);
      continue;
    }
    if (said?.role && /join|combined|shootout|all/i.test(said.role)) {
      joined.push(file);
      continue;
    }
    const byName = said ? undefined : tones.find((t) => slug(file.name).includes(slug(t.displayName)));
    if (byName) addTone(byName.id, file);
    else joined.push(file);
  }
  return { joined, perTone, video, other };
}
