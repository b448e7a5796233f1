import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { deadSocketNoticedWithinMs } from "@shootout/live-socket";
import {
  type PartitionProxy,
  startPartitionProxy,
  startTickServer,
  type TickServer,
} from "@shootout/live-socket/testing";
import type { Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_CHROMIUM, launchChromium } from "./helpers/chromium.ts";

const PROBE_ROOT = path.resolve(import.meta.dirname, "fixtures/live-socket-probe");
// Generous: the machine is shared and noisy.
const MARGIN_MS = 5_000;

interface Probe {
  seen: number[];
  opened: number;
  closed: number;
}

const probeOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { probe: Probe }).probe);

async function until(page: Page, what: string, done: (probe: Probe) => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const probe = await probeOf(page);
    if (done(probe)) return probe;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Node's WebSocket is tested in packages/live-socket and apps/api; this is Chromium's, whose
// closing handshake on a dead path has its own timing, with the socket built as the web app's.
describe.skipIf(!HAVE_CHROMIUM)("the web app's live socket in Chromium, over a path that goes dark", () => {
  let outDir: string;
  let pages: Server;
  let pagesUrl: string;
  let ticks: TickServer;
  let proxy: PartitionProxy;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(os.tmpdir(), "shootout-live-probe-"));
    await build({
      root: PROBE_ROOT,
      configFile: false,
      logLevel: "silent",
      build: { outDir, emptyOutDir: true },
    });
    pages = createServer((req, res) => {
      const file = new URL(req.url ?? "/", "http://localhost").pathname.replace(/^\/$/, "/index.html");
      try {
        const body = readFileSync(path.join(outDir, path.normalize(file)));
        res.setHeader("content-type", file.endsWith(".js") ? "text/javascript" : "text/html");
        res.end(body);
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    ticks = await startTickServer({ pingMs: 5_000, pongWaitMs: 5_000 });
    proxy = await startPartitionProxy({ host: "127.0.0.1", port: ticks.port });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await ticks?.close();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it("notices within its bound, reconnects once the path is back and resumes after the last event", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${pagesUrl}/?ws=${encodeURIComponent(`ws://127.0.0.1:${proxy.port}/`)}`);
    try {
      await until(page, "a few ticks", (p) => p.seen.length >= 5, 20_000);
      proxy.goDark();
      const darkAt = performance.now();
      await until(page, "the page to notice", (p) => p.closed > 0, deadSocketNoticedWithinMs() + MARGIN_MS);
      const noticedMs = performance.now() - darkAt;
      expect(noticedMs).toBeLessThanOrEqual(deadSocketNoticedWithinMs() + MARGIN_MS);
      const before = (await probeOf(page)).seen.length;
      proxy.restore();
      const after = await until(
        page,
        "ticks after reconnecting",
        (p) => p.seen.length >= before + 20,
        20_000,
      );
      expect(after.opened).toBe(2);
      // Every tick once, in order, across the reconnect.
      expect(after.seen).toEqual(after.seen.map((_, i) => i));
      expect(errors).toEqual([]);
    } finally {
      proxy.restore();
      await page.close();
    }
  }, 120_000);
});
