import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Env } from "@shootout/config";

export const STAND_IN_STATE_FILE = "tone3000-stand-in.json";

/**
 * Where the in-process Tone 3000 stand-in keeps the grants it issued: in embedded mode beside the
 * PGlite directory (like the token key), because the database keeps users' tokens across restarts
 * and they must stay valid. With DATABASE_URL the stand-in is a development aid that other
 * processes cannot reach anyway: it keeps them in memory.
 */
export function standInStateFile(env: Env): string | undefined {
  if (env.DATABASE_URL) return undefined;
  const dir = path.dirname(path.resolve(env.PGLITE_DATA_DIR));
  mkdirSync(dir, { recursive: true });
  return path.join(dir, STAND_IN_STATE_FILE);
}
