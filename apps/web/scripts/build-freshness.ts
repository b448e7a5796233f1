import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What a build of the web app is made from (relative to apps/web): its own files and the one package it bundles. */
export const BUILD_INPUTS = [
  "src",
  "public",
  "index.html",
  "vite.config.ts",
  "package.json",
  "../../packages/live-socket/src",
];

function newestMtime(entry: string): number {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** Whether `root/dist` is missing or older than any of its inputs. */
export function needsBuild(root: string): "missing" | "stale" | null {
  const built = statSync(path.join(root, "dist", "index.html"), { throwIfNoEntry: false });
  if (!built) return "missing";
  const sources = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(root, p))));
  return sources > built.mtimeMs ? "stale" : null;
}
