import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebApp } from "./helpers/build-web.ts";

// The web app imports only the router's *types*; a value import of @shootout/router (or anything
// it pulls in) would drag database, queue and Node code into the browser bundle. This builds the
// app and reads what went in.

const FORBIDDEN_IN_JS = [
  /kysely/i,
  /pg-boss/i,
  /pglite/i,
  /["'`]node:[a-z_/]+["'`]/,
  /@shootout\//,
  /@oslojs/,
  /\bpino\b/,
  /TOKEN_ENCRYPTION_KEY/,
];

describe("the browser bundle", () => {
  let outDir: string;
  let js: string[];
  let sources: string[];

  beforeAll(async () => {
    outDir = await buildWebApp();
    const assets = path.join(outDir, "assets");
    const names = readdirSync(assets);
    js = names.filter((n) => n.endsWith(".js")).map((n) => readFileSync(path.join(assets, n), "utf8"));
    sources = names
      .filter((n) => n.endsWith(".js.map"))
      .flatMap(
        (n) => (JSON.parse(readFileSync(path.join(assets, n), "utf8")) as { sources: string[] }).sources,
      );
  }, 120_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it("is built from the app's own sources, the live socket and the tRPC client only", () => {
    expect(js.length).toBeGreaterThan(0);
    expect(sources.length).toBeGreaterThan(10);
    const foreign = sources.filter(
      (s) =>
        !/(^|\/)apps\/web\/src\//.test(s) &&
        // The live socket's settings, shared with the CLI: browser code by design.
        !/(^|\/)packages\/live-socket\/src\/[^/]+\.ts$/.test(s) &&
        !/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?@trpc\/(client|server)\//.test(s),
    );
    expect(foreign).toEqual([]);
    expect(sources.some((s) => s.endsWith("src/main.ts"))).toBe(true);
  });

  it("contains no server module", () => {
    for (const code of js) {
      for (const pattern of FORBIDDEN_IN_JS) expect(code).not.toMatch(pattern);
    }
  });
});
