import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ApiServer, createApiServer, webAppRoutes } from "@shootout/api";
import { loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobQueue } from "@shootout/jobs";
import { createLocalStorage } from "@shootout/storage";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebApp } from "./helpers/build-web.ts";

const HTML = { accept: "text/html,application/xhtml+xml" };

// The API serving the built app (apps/api/src/routes/web-app-routes.ts), over real HTTP.
describe("the web app served by the API", () => {
  let database: TestDatabase;
  let boss: ReturnType<typeof createBoss>;
  let distDir: string;
  let emptyDir: string;
  let storageDir: string;
  const servers: ApiServer[] = [];
  let url: string;
  let unbuiltUrl: string;

  async function serve(dir: string): Promise<string> {
    const api = createApiServer({
      env: loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent" }),
      database,
      storage: createLocalStorage(storageDir),
      log: pino({ level: "silent" }),
      context: { jobQueue: createJobQueue(boss) },
      routes: webAppRoutes({ distDir: dir }),
    });
    servers.push(api);
    return api.listen(0, "127.0.0.1");
  }

  beforeAll(async () => {
    distDir = await buildWebApp();
    emptyDir = mkdtempSync(path.join(os.tmpdir(), "shootout-web-none-"));
    storageDir = mkdtempSync(path.join(os.tmpdir(), "shootout-web-storage-"));
    database = await createTestDatabase();
    boss = createBoss(database, { supervise: false, schedule: false });
    await boss.start();
    url = await serve(distDir);
    unbuiltUrl = await serve(emptyDir);
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await boss?.stop({ graceful: false });
    await database?.close();
    for (const dir of [distDir, emptyDir, storageDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const asset = (ext: string) => {
    const name = readdirSync(path.join(distDir, "assets")).find((n) => n.endsWith(ext));
    if (!name) throw new Error(`no ${ext} asset in the build`);
    return `/assets/${name}`;
  };

  it("serves the page, revalidated on every visit, pointing at the built script", async () => {
    const res = await fetch(`${url}/`, { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const body = await res.text();
    expect(body).toContain('<div id="app">');
    expect(body).toContain(asset(".js"));
  });

  it("serves hashed assets with their types, cached for good, and answers a matching ETag with 304", async () => {
    const js = await fetch(`${url}${asset(".js")}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await js.arrayBuffer()).byteLength).toBe(Number(js.headers.get("content-length")));
    const etag = js.headers.get("etag") ?? "";
    const again = await fetch(`${url}${asset(".js")}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);

    const css = await fetch(`${url}${asset(".css")}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const icon = await fetch(`${url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers the app's page paths with the page for browsers (SPA fallback), 404 for others", async () => {
    for (const page of ["/new", "/sign-in", "/jobs/0b7c1f8e-1111-4222-8333-444455556666", "/shootouts/x"]) {
      const res = await fetch(`${url}${page}`, { headers: HTML });
      expect(res.status, page).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
    }
    const api = await fetch(`${url}/new`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    const missing = await fetch(`${url}/nothing.js`, { headers: HTML });
    expect(missing.status).toBe(404);
  });

  it("never serves files outside the build", async () => {
    for (const probe of [
      "/assets/..%2F..%2Fpackage.json",
      "/assets/.hidden",
      "/index.html%00",
      "/assets/nope.js",
    ]) {
      const res = await fetch(`${url}${probe}`, { headers: HTML });
      expect(res.status, probe).toBe(404);
    }
  });

  it("answers HEAD with the headers only", async () => {
    const res = await fetch(`${url}/`, { method: "HEAD", headers: HTML });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(100);
    expect(await res.text()).toBe("");
  });

  it("keeps the API's own routes first", async () => {
    const res = await fetch(`${url}/healthz`, { headers: HTML });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("explains how to build the app when there is no build", async () => {
    const res = await fetch(`${unbuiltUrl}/jobs/abc`, { headers: HTML });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain("pnpm --filter @shootout/web build");
  });
});
