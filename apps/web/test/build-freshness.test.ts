import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { needsBuild } from "../scripts/build-freshness.ts";

describe("whether ./shootout start must build the web app", () => {
  let root = "";
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const at = (file: string, seconds: number) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "x");
    utimesSync(file, seconds, seconds);
  };

  it("builds when there is no build, not when the build is newer, again once a source changes", () => {
    root = mkdtempSync(path.join(os.tmpdir(), "shootout-web-fresh-"));
    at(path.join(root, "src", "pages", "job.ts"), 1_000);
    at(path.join(root, "index.html"), 1_000);
    expect(needsBuild(root)).toBe("missing");

    at(path.join(root, "dist", "index.html"), 2_000);
    // Directories count by their own mtime too (a deleted file): keep them old for this check.
    for (const dir of ["src", "src/pages"]) utimesSync(path.join(root, dir), 1_000, 1_000);
    expect(needsBuild(root)).toBeNull();

    at(path.join(root, "src", "pages", "job.ts"), 3_000);
    expect(needsBuild(root)).toBe("stale");
  });
});
