import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "vite";

export const WEB_ROOT = path.resolve(import.meta.dirname, "../..");

/** Builds apps/web with its own vite.config.ts into a fresh temporary directory; returns it. */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), "shootout-web-dist-"));
  await build({
    root: WEB_ROOT,
    configFile: path.join(WEB_ROOT, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
