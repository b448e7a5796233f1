/**
 * Builds the web app when apps/web/dist is missing or older than its sources, so `./shootout
 * start` always serves the current app; an up-to-date build costs only a few stat calls.
 */
import path from "node:path";
import { needsBuild } from "./build-freshness.ts";

const root = path.resolve(import.meta.dirname, "..");
const reason = needsBuild(root);
if (reason) {
  process.stdout.write(
    `shootout: ${reason === "missing" ? "building" : "rebuilding"} the web app (apps/web)…\n`,
  );
  const { build } = await import("vite");
  await build({ root, logLevel: "warn", configFile: path.join(root, "vite.config.ts") });
}
