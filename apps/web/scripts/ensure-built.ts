/**
 * Builds the web app when apps/web/dist is missing or older than its sources, so `./shootout
 * start` always serves the current app; an up-to-date build costs only a few stat calls.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const builtAt = (() => {
  try {
    return statSync(path.join(root, "dist", "index.html")).mtimeMs;
  } catch {
    return null;
  }
})();

function newestMtime(entry: string): number {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) =>
  path.join(root, p),
);
const sourcesAt = Math.max(...sources.map(newestMtime));

if (builtAt !== null && builtAt >= sourcesAt) process.exit(0);

process.stdout.write(`shootout: ${builtAt === null ? "building" : "rebuilding"} the web app (apps/web)…\n`);
const { build } = await import("vite");
await build({ root, logLevel: "warn", configFile: path.join(root, "vite.config.ts") });
