import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../cli-errors.ts";
import { type FileConfig, fileConfigSchema, toneIrPath } from "./file-config-schema.ts";
import { formatIssues } from "./format-issues.ts";

/** A valid config with every file path resolved (absolute) and checked to exist. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: FileConfig;
  readonly diPath: string;
  /** Per tone, in order: the IR's absolute path or null. */
  readonly irPaths: readonly (string | null)[];
}

async function problemWithFile(absolute: string): Promise<string | null> {
  try {
    const info = await stat(absolute);
    return info.isFile() ? null : `not a file: ${absolute}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `file not found: ${absolute}` : `cannot read ${absolute} (${code ?? "error"})`;
  }
}

/**
 * Reads and validates a `shootout run` config file. Every problem is collected (schema errors with
 * their JSON paths, then missing files) and thrown together as one UsageError, so a user fixes
 * the file in one pass. Paths in the file are relative to the file's own directory.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `config file not found: ${absolute}` : `cannot read ${absolute} (${code})`,
      { command: "run" },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${absolute} is not valid JSON`, {
      problems: [(error as Error).message],
      command: "run",
    });
  }

  const parsed = fileConfigSchema.safeParse(json);
  const problems = parsed.success ? [] : formatIssues(parsed.error.issues);

  // Files are checked even when other fields are wrong: every problem in one pass.
  const base = path.dirname(absolute);
  const raw = parsed.success
    ? { di: parsed.data.di, irs: parsed.data.tones.map(toneIrPath) }
    : looseFilePaths(json);
  const diPath = raw.di ? path.resolve(base, raw.di) : null;
  const irPaths = raw.irs.map((ir) => (ir ? path.resolve(base, ir) : null));
  const checks = await Promise.all([
    diPath ? problemWithFile(diPath).then((p) => (p ? `di: ${p}` : null)) : null,
    ...irPaths.map((ir, i) =>
      ir ? problemWithFile(ir).then((p) => (p ? `tones[${i}].${irFieldOf(json, i)}: ${p}` : null)) : null,
    ),
  ]);
  problems.push(...checks.filter((p): p is string => p !== null));

  if (!parsed.success || problems.length > 0 || !diPath) {
    throw new UsageError(`${absolute}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, {
      problems,
      command: "run",
    });
  }
  return { file: absolute, config: parsed.data, diPath, irPaths };
}

/** The file paths of a config that failed validation, where they are at least strings. */
function looseFilePaths(json: unknown): { di: string | null; irs: (string | null)[] } {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  if (!isRecord(json)) return { di: null, irs: [] };
  const tones = Array.isArray(json.tones) ? json.tones : [];
  return {
    di: text(json.di),
    irs: tones.map((t) => {
      if (!isRecord(t)) return null;
      const cabinet = isRecord(t.cabinet) && t.cabinet.source === "file" ? text(t.cabinet.path) : null;
      return text(t.ir) ?? cabinet;
    }),
  };
}

/** Where tone `i` named its IR file: "ir", or "cabinet.path". */
function irFieldOf(json: unknown, i: number): string {
  const tones = typeof json === "object" && json !== null ? (json as { tones?: unknown }).tones : null;
  const tone = Array.isArray(tones) ? (tones[i] as { ir?: unknown } | null) : null;
  return tone && typeof tone === "object" && tone.ir ? "ir" : "cabinet.path";
}
