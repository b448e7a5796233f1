import type { Job } from "./api-types.ts";

// What the render pipeline stores in jobs.result (packages/pipeline/src/result-schema.ts), as far
// as the page needs it. The router hands it over as plain JSON, so it is checked here at run time;
// test/shootout-result.test.ts keeps this in step with the pipeline's own type.

export interface ResultFile {
  readonly fileId: string;
  readonly name: string;
  readonly format: "wav" | "flac" | "mp4";
  readonly sizeBytes: number;
}

export interface ResultMetrics {
  /** dBFS. */
  readonly rms: number | null;
  /** dBFS. */
  readonly peak: number | null;
  /** dBTP. */
  readonly truePeak: number | null;
  /** dB. */
  readonly crestFactor: number | null;
  readonly integratedLufs: number | null;
  /** Hz. */
  readonly spectralCentroid: number | null;
  readonly bassRatio: number | null;
  readonly midRatio: number | null;
  readonly trebleRatio: number | null;
}

export interface ResultSegment {
  /** "Tone A"… in a blind shootout, else the tone's display name. */
  readonly label: string;
  /** Null in a blind shootout (the key is revealed separately). */
  readonly toneSelectionId: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly metrics: ResultMetrics;
  /** The amp as rendered ("A2, standard, smallest (WaveNet 3 ch)"); null without one, or blind. */
  readonly amp: string | null;
  /** The cabinet IR's name; null without one, or blind. */
  readonly cabinet: string | null;
  /** This tone alone. */
  readonly files: readonly ResultFile[];
}

export interface ShootoutResultView {
  readonly blind: boolean;
  /** credits.txt: authors and licences of every capture and IR used (absent in older results). */
  readonly credits: { readonly fileId: string; readonly name: string; readonly sizeBytes: number } | null;
  /** In the order they play in the joined file. */
  readonly segments: readonly ResultSegment[];
  readonly joined: readonly ResultFile[];
  readonly video: ResultFile | null;
  readonly notes: readonly string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);
const FORMATS: readonly string[] = ["wav", "flac", "mp4"];

function file(v: unknown): ResultFile | null {
  if (!isObj(v) || typeof v.fileId !== "string" || typeof v.name !== "string") return null;
  if (typeof v.format !== "string" || !FORMATS.includes(v.format)) return null;
  return {
    fileId: v.fileId,
    name: v.name,
    format: v.format as ResultFile["format"],
    sizeBytes: isNum(v.sizeBytes) ? v.sizeBytes : 0,
  };
}

function files(v: unknown): ResultFile[] | null {
  if (!Array.isArray(v)) return null;
  const parsed = v.map(file);
  return parsed.every((f) => f !== null) ? (parsed as ResultFile[]) : null;
}

function metrics(v: unknown): ResultMetrics {
  const m = isObj(v) ? v : {};
  return {
    rms: numOrNull(m.rms),
    peak: numOrNull(m.peak),
    truePeak: numOrNull(m.truePeak),
    crestFactor: numOrNull(m.crestFactor),
    integratedLufs: numOrNull(m.integratedLufs),
    spectralCentroid: numOrNull(m.spectralCentroid),
    bassRatio: numOrNull(m.bassRatio),
    midRatio: numOrNull(m.midRatio),
    trebleRatio: numOrNull(m.trebleRatio),
  };
}

function segment(v: unknown): ResultSegment | null {
  if (!isObj(v) || typeof v.label !== "string" || !isNum(v.startMs) || !isNum(v.endMs)) return null;
  const own = files(v.files);
  if (!own) return null;
  return {
    label: v.label,
    toneSelectionId: typeof v.toneSelectionId === "string" ? v.toneSelectionId : null,
    startMs: v.startMs,
    endMs: v.endMs,
    metrics: metrics(v.metrics),
    amp: typeof v.amp === "string" ? v.amp : null,
    cabinet: typeof v.cabinet === "string" ? v.cabinet : null,
    files: own,
  };
}

/** The job's result as the results page shows it, or null when it is not a render result. */
export function parseShootoutResult(result: Job["result"]): ShootoutResultView | null {
  if (!isObj(result) || !Array.isArray(result.segments)) return null;
  const segments = result.segments.map(segment);
  const joined = files(result.joined);
  if (!joined || !segments.every((s) => s !== null)) return null;
  const video = result.video === null || result.video === undefined ? null : file(result.video);
  const credits =
    isObj(result.credits) &&
    typeof result.credits.fileId === "string" &&
    typeof result.credits.name === "string"
      ? {
          fileId: result.credits.fileId,
          name: result.credits.name,
          sizeBytes: isNum(result.credits.sizeBytes) ? result.credits.sizeBytes : 0,
        }
      : null;
  return {
    blind: result.blind === true,
    credits,
    segments: segments as ResultSegment[],
    joined,
    video,
    notes: Array.isArray(result.notes) ? result.notes.filter((n): n is string => typeof n === "string") : [],
  };
}
