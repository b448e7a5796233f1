import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { listJobEvents } from "@shootout/jobs";
import { createShootoutPipeline, ffmpegWorks } from "@shootout/pipeline";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebApp } from "./helpers/build-web.ts";
import { HAVE_CHROMIUM, launchChromium } from "./helpers/chromium.ts";
import { diWav } from "./helpers/di-wav.ts";
import { type EmbeddedStack, startEmbeddedStack } from "./helpers/embedded-stack.ts";
import { pipelineGate } from "./helpers/gated-pipeline.ts";

const ARTIFACTS = path.resolve(import.meta.dirname, "../../../test-artifacts");

if (!HAVE_CHROMIUM) {
  console.warn(
    "apps/web e2e: skipped, /usr/bin/chromium is missing (apt-get install chromium; CI installs it)",
  );
}

/** The seq of every progress line on the job page, in page order. */
async function shownSeqs(page: Page): Promise<number[]> {
  const items = await page.locator(".messages li").all();
  return Promise.all(items.map(async (li) => Number(await li.getAttribute("data-seq"))));
}

/** The joined audio is playing: data decoded (HAVE_CURRENT_DATA or better), the clock moving, no error. */
async function joinedAudioPlays(page: Page): Promise<void> {
  await page.waitForFunction(
    `(() => { const a = document.querySelector('[data-testid="joined-audio"]');
      return a !== null && a.error === null && a.readyState >= 2 && a.currentTime > 0.05; })()`,
    undefined,
    { timeout: 20_000 },
  );
}

async function progressValue(page: Page): Promise<number> {
  return Number(await page.getByRole("progressbar").getAttribute("aria-valuenow"));
}

describe.skipIf(!HAVE_CHROMIUM)("the web app in a real browser against the embedded stack", () => {
  let stack: EmbeddedStack;
  let distDir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const gate = pipelineGate();
  let shootoutUrl = "";
  const pageErrors: string[] = [];
  let withVideo = false;

  beforeAll(async () => {
    distDir = await buildWebApp();
    // MP4 needs ffmpeg (CI installs it); without it the API refuses video jobs, so none is asked.
    withVideo = await ffmpegWorks(process.env.FFMPEG_PATH || "ffmpeg");
    // The real render pipeline (packages/pipeline), downloading the stand-in's bundled models.
    stack = await startEmbeddedStack({
      distDir,
      pipeline: (tone3000) => gate.wrap(createShootoutPipeline({ tone3000, threads: 1 })),
    });
    browser = await launchChromium();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  /** Finds a tone on Tone 3000 (the stand-in's catalogue), opens its models and adds one. */
  async function addModel(query: string, tone: RegExp, model: string) {
    await page.getByRole("searchbox", { name: "Search Tone 3000" }).fill(query);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("button", { name: tone }).click();
    await page.getByRole("button", { name: `Add ${model}` }).click();
  }

  async function uploadDi() {
    await page
      .getByLabel("DI recording")
      .setInputFiles({ name: "di.wav", mimeType: "audio/wav", buffer: diWav() });
    await page.getByText("Uploaded di.wav ✓").waitFor();
  }

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  it("signs in with Tone 3000, builds a two-tone shootout, watches it render and plays the result", async () => {
    await page.goto(`${stack.url}/new`);
    // Signed out: the page offers the Tone 3000 sign-in, which comes back to where we were.
    await page.getByRole("link", { name: "Sign in with Tone 3000" }).click();
    await page.waitForURL(`${stack.url}/new`);
    await page
      .getByTestId("user")
      .filter({ hasText: /^local$/ })
      .waitFor();

    await page.getByLabel("Name", { exact: true }).fill("Two tiny amps");
    await page.getByLabel("WAV", { exact: true }).check();
    if (withVideo) await page.getByLabel("MP4 video").check();
    // Not audio: the upload route's own message shows beside the DI field.
    const di = page.getByLabel("DI recording");
    await di.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not audio") });
    const diError = page.locator(`#${await di.getAttribute("aria-describedby")}`);
    await diError.filter({ hasText: "not a WAV, FLAC, AIFF or MP3 file" }).waitFor();
    await expect(di.getAttribute("aria-invalid")).resolves.toBe("true");
    await uploadDi();

    // Too few tones: the router's zod message appears beside the tones, not as a raw dump.
    await page.getByRole("button", { name: "Create and render" }).click();
    await page.locator("#tones-error").filter({ hasText: "a shootout needs at least 2 tones" }).waitFor();

    await addModel("Microtubes", /^Models of Microtubes/, "Microtubes 900 LSTM 1x3");
    await addModel("Tiny", /^Models of Tiny WaveNet/, "Tiny WaveNet");
    const names = page.locator('[data-testid="selected-tone"] input[type="text"]');
    await expect(names.count()).resolves.toBe(2);
    // Reorder: the second tone moves up and plays first.
    await page.getByRole("button", { name: "Move tone 2 up" }).click();
    await expect(names.nth(0).inputValue()).resolves.toMatch(/Tiny WaveNet/);
    await expect(names.nth(1).inputValue()).resolves.toMatch(/Microtubes/);
    // The first tone gets a cabinet IR (uploaded as kind=ir) and a room reverb.
    const firstTone = page.getByTestId("selected-tone").nth(0);
    await firstTone.getByText("Cabinet IR, high-pass, effects").click();
    await firstTone.getByLabel("Cabinet IR for tone 1").setInputFiles({
      name: "cab.wav",
      mimeType: "audio/wav",
      buffer: diWav(0.05),
    });
    await firstTone.getByText("IR: cab.wav").waitFor();
    await firstTone.getByLabel("Room reverb").check();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "web-new-shootout.png"), fullPage: true });

    await page.getByRole("button", { name: "Create and render" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="job-status"][data-status="completed"]').waitFor({ timeout: 120_000 });
    expect(await progressValue(page)).toBe(100);
    const seqs = await shownSeqs(page);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seqs).size).toBe(seqs.length);

    const results = page.getByTestId("results");
    await results.getByRole("heading", { name: "Results" }).waitFor();
    shootoutUrl = (await page.getByRole("link", { name: "Shootout details" }).getAttribute("href")) ?? "";
    expect(shootoutUrl).toMatch(/^\/shootouts\//);

    // Two segments in the order chosen, each playable from the joined file.
    const segments = results.getByTestId("segment");
    await expect(segments.count()).resolves.toBe(2);
    await expect(segments.nth(0).textContent()).resolves.toMatch(/Tiny WaveNet/);
    await expect(segments.nth(1).textContent()).resolves.toMatch(/Microtubes/);
    await results.getByRole("button", { name: /^Play Tiny WaveNet/ }).click();
    await joinedAudioPlays(page);
    await results.getByRole("listitem").filter({ hasText: "Tiny WaveNet" }).first().waitFor();

    // Measured: a row per tone with a loudness figure, not a dash.
    const rows = results.getByTestId("metrics").locator("tbody tr");
    await expect(rows.count()).resolves.toBe(2);
    const lufs = Number(await rows.nth(0).locator("td").first().textContent());
    expect(lufs).toBeLessThan(0);
    expect(lufs).toBeGreaterThan(-40);

    if (withVideo) {
      await page.waitForFunction(
        `(() => { const v = document.querySelector('[data-testid="video"]');
          return v !== null && v.error === null && v.readyState >= 1 && v.duration > 1; })()`,
        undefined,
        { timeout: 20_000 },
      );
    }
    // Every output is downloadable from the API (the links point at /files/:id).
    const links = await results.locator(".downloads a").all();
    expect(links.length).toBeGreaterThanOrEqual(withVideo ? 6 : 5);
    const first = await links[0]!.getAttribute("href");
    const download = await page.request.get(`${stack.url}${first}`);
    expect(download.status()).toBe(200);
    expect(download.headers()["content-type"]).toMatch(/^audio\//);

    await page.screenshot({ path: path.join(ARTIFACTS, "web-results.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it("resumes the bar after a reload and after a server restart, showing every message once", async () => {
    expect(shootoutUrl).not.toBe("");
    gate.close();
    await page.goto(`${stack.url}${shootoutUrl}`);
    await page.getByTestId("results").getByTestId("metrics").waitFor();
    // The settings made in the form reached the shootout: IR and effect on the first tone only.
    const summary = page.locator(".tone-summary li");
    await expect(summary.nth(0).textContent()).resolves.toMatch(
      /IR: cab\.wav · 80 Hz high-pass · reverb:room/,
    );
    await expect(summary.nth(1).textContent()).resolves.toMatch(
      /no IR · 80 Hz high-pass · Amp by nam_core_examples \(cc-by\)$/,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "web-shootout.png"), fullPage: true });
    await page.getByRole("button", { name: "Render again" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split("/").at(-1) ?? "";
    await page.getByText("Waiting at the test's gate").waitFor();
    const before = await shownSeqs(page);
    expect(await progressValue(page)).toBe(5);

    // Reload mid-job: the log comes back from sessionStorage, the subscription resumes after it.
    await page.reload();
    await page.locator('section.job[data-live="subscribed"]').waitFor();
    expect(await progressValue(page)).toBe(5);
    expect(await shownSeqs(page)).toEqual(before);
    await page.screenshot({ path: path.join(ARTIFACTS, "web-job-progress.png") });

    // Server restart mid-job: the render finishes while the API is down; once it is back, the
    // socket reconnects with the last event id and the page catches up with what it missed.
    await stack.stopApi();
    await page.getByText("Connection lost: reconnecting…").waitFor();
    gate.open();
    for (;;) {
      const events = await listJobEvents(stack.database.db, jobId);
      if (events.at(-1)?.status === "completed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stack.startApi();
    await page.locator('[data-testid="job-status"][data-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await progressValue(page)).toBe(100);

    await expect(page.getByText("Connection lost: reconnecting…").isVisible()).resolves.toBe(false);
    const stored = await listJobEvents(stack.database.db, jobId);
    expect(await shownSeqs(page)).toEqual(stored.map((e) => e.seq));
    const texts = await page.locator(".messages li span:last-child").allTextContents();
    expect(texts).toEqual(stored.map((e) => e.message || e.status));
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("keeps a blind shootout's tones behind letters until the owner reveals them", async () => {
    await page.goto(`${stack.url}/new`);
    await page.getByLabel("Name", { exact: true }).fill("Blind pair");
    await uploadDi();
    // This time from the user's own library: a favourite and a tone they published.
    await page.getByRole("tab", { name: "My favorites" }).click();
    await page.getByRole("button", { name: /^Models of Dumble-style/ }).click();
    await page.getByRole("button", { name: "Add ODS feather" }).click();
    await page.getByRole("tab", { name: "My tones" }).click();
    await page.getByRole("button", { name: /^Models of My Bedroom Clean/ }).click();
    await page.getByRole("button", { name: "Add Bedroom LSTM" }).click();
    await page.getByLabel(/^Blind mode/).check();
    await page.getByRole("button", { name: "Create and render" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="job-status"][data-status="completed"]').waitFor({ timeout: 120_000 });

    const results = page.getByTestId("results");
    const segments = results.getByTestId("segment");
    await segments.first().waitFor();
    await expect(segments.locator(".segment-name").allTextContents()).resolves.toEqual(["Tone A", "Tone B"]);
    const metricNames = results.getByTestId("metrics").locator("tbody th");
    await expect(metricNames.allTextContents()).resolves.toEqual(["Tone A", "Tone B"]);
    // Nothing on the results names a tone before the reveal (players, metrics, downloads).
    const hidden = (await results.textContent()) ?? "";
    expect(hidden).not.toMatch(/Dumble|ODS|Bedroom/);

    await page.screenshot({ path: path.join(ARTIFACTS, "web-blind.png"), fullPage: true });
    await results.getByRole("button", { name: "Reveal the tones" }).click();
    await results.getByText("Revealed: each segment now shows which tone it is.").waitFor();
    const revealed = await segments.locator(".segment-name").allTextContents();
    expect(revealed).toHaveLength(2);
    expect(revealed[0]).toMatch(/^Tone A: /);
    expect(revealed[1]).toMatch(/^Tone B: /);
    expect(revealed.map((n) => n.replace(/^Tone [AB]: /, "")).sort()).toEqual([
      "Dumble-style Overdrive Special – ODS feather",
      "My Bedroom Clean – Bedroom LSTM",
    ]);
    await expect(results.getByRole("button", { name: "Reveal the tones" }).count()).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("compares an A2 capture at both sizes through Tone 3000 cabinets beside a cab-only tone, with credits", async () => {
    await page.goto(`${stack.url}/new`);
    await page.getByLabel("Name", { exact: true }).fill("A2 sizes and cabs");
    await uploadDi();
    await addModel("NAM Core example", /^Models of NAM Core example captures/, "Example A2 (slimmable)");
    await page.getByRole("button", { name: "Add Example A2 (slimmable)" }).click();
    // An IR from the main browser is a cabinet-only tone.
    await addModel("Community Cabinet", /^Models of Community Cabinet IRs/, "Mesa cab IR (cab only)");
    const rows = page.getByTestId("selected-tone");
    await expect(rows.count()).resolves.toBe(3);
    // What the amp is, read from its file.
    await rows
      .nth(0)
      .locator(".model-info")
      .filter({ hasText: "A2 (SlimmableContainer) · 2 sizes" })
      .waitFor();
    await expect(rows.nth(2).textContent()).resolves.toMatch(/No amp \(cab only\)/);
    // The second A2 tone renders the smallest size.
    await rows.nth(1).getByLabel("Size of the amp of tone 2").selectOption("smallest");
    await rows.nth(1).getByRole("textbox").fill("A2 lite");
    // Tone 1's cabinet: a Tone 3000 IR, picked in the IR browser (IR tones only).
    await rows.nth(0).getByText("Cabinet IR, high-pass, effects").click();
    await rows.nth(0).getByRole("button", { name: "Browse Tone 3000 IRs for tone 1" }).click();
    const irBrowser = rows.nth(0).locator(".ir-browser");
    await irBrowser.getByRole("button", { name: "Search", exact: true }).click();
    await irBrowser.getByRole("button", { name: /^Models of Community Cabinet IRs/ }).click();
    await irBrowser.getByText("licence t3k").waitFor();
    await irBrowser.getByRole("button", { name: "Use Eminence cab IR (44.1 kHz)" }).click();
    await rows
      .nth(0)
      .getByText(/IR: .*Eminence cab IR \(44\.1 kHz\) \(Tone 3000\)/)
      .waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "web-a2-cabs.png"), fullPage: true });

    await page.getByRole("button", { name: "Create and render" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="job-status"][data-status="completed"]').waitFor({ timeout: 120_000 });
    const results = page.getByTestId("results");
    const chains = results.locator(".per-tone .segment-chain");
    await chains.first().waitFor();
    const texts = await chains.allTextContents();
    expect(texts.map((t) => t.trim())).toEqual([
      "Amp: A2, standard, full (WaveNet 8 ch) + Cab: Community Cabinet IRs (Ampeg, Celestion, Eminence, Mesa) – Eminence cab IR (44.1 kHz)",
      "Amp: A2, standard, smallest (WaveNet 3 ch) + no cab",
      "no amp + Cab: Community Cabinet IRs (Ampeg, Celestion, Eminence, Mesa) – Mesa cab IR",
    ]);
    const credits = await results.locator(".per-tone .credit").allTextContents();
    expect(credits.map((t) => t.trim())).toEqual([
      "Amp by nam_core_examples (cc-by) · Cab by t3k-community (t3k)",
      "Amp by nam_core_examples (cc-by)",
      "Cab by t3k-community (t3k)",
    ]);
    await results.locator(".downloads a").filter({ hasText: "credits.txt" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "web-a2-cabs-results.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("pages through my shootouts with the cursor, newest first", async () => {
    // Enough shootouts for two pages (10 a page), made through the API with the browser's session.
    const upload = await page.request.post(`${stack.url}/files?kind=di&name=bulk.wav`, { data: diWav(0.5) });
    expect(upload.status()).toBe(201);
    const { id: diFileId } = (await upload.json()) as { id: string };
    for (let i = 1; i <= 10; i++) {
      const res = await page.request.post(`${stack.url}/trpc/shootouts.create`, {
        data: {
          name: `Bulk ${i}`,
          diFileId,
          tones: [
            { tone3000ToneId: "101", tone3000ModelId: "1002", displayName: "A" },
            { tone3000ToneId: "104", tone3000ModelId: "1005", displayName: "B" },
          ],
        },
      });
      expect(res.status()).toBe(200);
    }
    // The first page is exactly the ten just made, newest first; the ones made in the browser
    // before them are on the next page.
    await page.goto(`${stack.url}/`);
    const names = page.locator(".shootout-item > a");
    await names.first().waitFor();
    const bulk = Array.from({ length: 10 }, (_, i) => `Bulk ${10 - i}`);
    await expect(names.allTextContents()).resolves.toEqual(bulk);
    await page.screenshot({ path: path.join(ARTIFACTS, "web-shootouts-list.png"), fullPage: true });
    await page.getByRole("link", { name: "Older →" }).click();
    await page.getByRole("link", { name: "← Newest" }).waitFor();
    const older = await names.allTextContents();
    expect(older).toEqual(expect.arrayContaining(["Two tiny amps", "Blind pair"]));
    expect(older.filter((n) => n.startsWith("Bulk"))).toEqual([]);
    // Back returns to the first page (the cursor lives in the URL).
    await page.goBack();
    await page.getByRole("link", { name: "Older →" }).waitFor();
    await expect(names.allTextContents()).resolves.toEqual(bulk);
  }, 120_000);

  it("shows my renders' status live on the list page", async () => {
    await page.goto(`${stack.url}/`);
    const renders = page.getByTestId("recent-renders");
    await renders.locator("[data-job-id]").first().waitFor();
    gate.close();
    // A render started elsewhere (another tab, the CLI): it appears and changes status live.
    const res = await page.request.post(`${stack.url}/trpc/jobs.create`, {
      data: { shootoutId: shootoutUrl.split("/").at(-1) },
    });
    expect(res.status()).toBe(200);
    const { id: jobId } = ((await res.json()) as { result: { data: { id: string } } }).result.data;
    const badge = renders.locator(`[data-job-id="${jobId}"] .badge`);
    await badge.and(page.locator('[data-status="running"]')).waitFor();
    await expect(renders.locator(`[data-job-id="${jobId}"] a`).textContent()).resolves.toBe("Two tiny amps");
    gate.open();
    await badge.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 120_000 });
  }, 180_000);

  it("cancels a render and tries it again to completion", async () => {
    gate.close();
    await page.goto(`${stack.url}${shootoutUrl}`);
    await page.getByRole("button", { name: "Render again" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split("/").at(-1) ?? "";
    await page.getByText("Waiting at the test's gate").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('[data-testid="job-status"][data-status="cancelled"]').waitFor();
    await expect(page.getByTestId("job-progress").getAttribute("data-state")).resolves.toBe("failed");

    gate.open();
    await page.getByRole("button", { name: "Try again" }).click();
    await page.locator('[data-testid="job-status"][data-status="completed"]').waitFor({ timeout: 120_000 });
    expect(await progressValue(page)).toBe(100);
    await page.getByTestId("results").getByTestId("segment").first().waitFor();
    const stored = await listJobEvents(stack.database.db, jobId);
    expect(await shownSeqs(page)).toEqual(stored.map((e) => e.seq));
    expect(stored.map((e) => e.status)).toContain("cancelled");
  }, 180_000);

  it("shares a shootout: a visitor who is not signed in finds it and hears it, until sharing stops", async () => {
    await page.goto(`${stack.url}${shootoutUrl}`);
    await page.getByTestId("visibility").filter({ hasText: "Private" }).waitFor();
    await page.getByRole("button", { name: "Share publicly" }).click();
    await page.getByTestId("visibility").filter({ hasText: "anyone with the link can listen" }).waitFor();

    const visitor = await launchChromium();
    try {
      const v = await visitor.context.newPage();
      const visitorErrors: string[] = [];
      v.on("pageerror", (error) => visitorErrors.push(error.message));
      await v.goto(`${stack.url}/public`);
      await v.getByRole("link", { name: "Two tiny amps" }).click();
      await v.waitForURL(`${stack.url}${shootoutUrl}`);
      const results = v.getByTestId("results");
      await results.getByTestId("segment").first().waitFor();
      await expect(results.getByTestId("segment").count()).resolves.toBe(2);
      // Not theirs: no render button, no owner controls, no list of renders.
      await expect(v.getByRole("button", { name: /Render/ }).count()).resolves.toBe(0);
      await expect(v.getByTestId("visibility").count()).resolves.toBe(0);
      // The chain as the owner set it up, IR name included (the owner's file id is not).
      await expect(v.locator(".tone-summary li").nth(0).textContent()).resolves.toMatch(/IR: cab\.wav/);
      await results.getByRole("button", { name: /^Play Tiny WaveNet/ }).click();
      await joinedAudioPlays(v);
      await v.screenshot({ path: path.join(ARTIFACTS, "web-public-shootout.png"), fullPage: true });
      expect(visitorErrors).toEqual([]);

      // Sharing stops: the visitor's next look finds nothing, and the files are out of reach.
      const fileHref = await results.locator(".downloads a").first().getAttribute("href");
      expect((await v.request.get(`${stack.url}${fileHref}`)).status()).toBe(200);
      await page.getByRole("button", { name: "Stop sharing" }).click();
      await page.getByTestId("visibility").filter({ hasText: "Private" }).waitFor();
      await v.reload();
      await v
        .getByRole("alert")
        .filter({ hasText: /not found/ })
        .waitFor();
      expect((await v.request.get(`${stack.url}${fileHref}`)).status()).toBe(401);
    } finally {
      await visitor.close();
    }
  }, 120_000);

  it("edits a shootout: the form comes filled in, and only what changed is saved", async () => {
    await page.goto(`${stack.url}${shootoutUrl}`);
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL(`${stack.url}${shootoutUrl}/edit`);
    const form = page.getByRole("form", { name: "Edit Two tiny amps" });
    await expect(form.getByLabel("Name", { exact: true }).inputValue()).resolves.toBe("Two tiny amps");
    await expect(form.getByLabel("WAV", { exact: true }).isChecked()).resolves.toBe(true);
    const names = form.locator('[data-testid="selected-tone"] input[type="text"]');
    await expect(names.count()).resolves.toBe(2);
    await expect(names.nth(0).inputValue()).resolves.toMatch(/Tiny WaveNet/);
    // The first tone's IR and reverb came back as they were saved.
    const firstTone = form.getByTestId("selected-tone").nth(0);
    await firstTone.getByText("Cabinet IR, high-pass, effects").click();
    await firstTone.getByText("IR: cab.wav").waitFor();
    await expect(firstTone.getByLabel("Room reverb").isChecked()).resolves.toBe(true);

    await form.getByLabel("Name", { exact: true }).fill("Two tiny amps, edited");
    const secondTone = form.getByTestId("selected-tone").nth(1);
    await secondTone.getByText("Cabinet IR, high-pass, effects").click();
    await secondTone.getByLabel("Gain in dB for tone 2").fill("-2");
    await form.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(`${stack.url}${shootoutUrl}`);
    await page.getByRole("heading", { name: "Two tiny amps, edited" }).waitFor();
    const tones = page.locator(".tone-summary li");
    await expect(tones.nth(0).textContent()).resolves.toMatch(/IR: cab\.wav.*reverb:room/);
    await expect(tones.nth(1).textContent()).resolves.toMatch(/gain:-2/);
    // Saved as such: the IR kept, the reverb kept, the gain added.
    const saved = await stack.database.db
      .selectFrom("toneSelections")
      .select(["position", "irFileId", "effects"])
      .where("shootoutId", "=", shootoutUrl.split("/").at(-1)!)
      .orderBy("position")
      .execute();
    expect(saved.map((t) => [t.irFileId !== null, t.effects])).toEqual([
      [true, ["reverb:room"]],
      [false, ["gain:-2"]],
    ]);
  }, 60_000);

  it("deletes a shootout after asking, and it leaves the list", async () => {
    await page.goto(`${stack.url}/`);
    await page.getByRole("link", { name: "Bulk 1", exact: true }).click();
    await page.waitForURL(/\/shootouts\/[0-9a-f-]{36}$/);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(`${stack.url}/`);
    const names = page.locator(".shootout-item > a");
    await names.first().waitFor();
    await expect(names.allTextContents()).resolves.not.toContain("Bulk 1");
  }, 60_000);

  it("tells a player whose Tone 3000 access ended to sign in again, and the sign-in restores it", async () => {
    const me = await page.request.get(`${stack.url}/trpc/auth.me`);
    const userId = ((await me.json()) as { result: { data: { user: { id: string } } } }).result.data.user.id;
    // What the server does when Tone 3000 revokes the grant: the stored tokens go.
    await stack.database.db
      .updateTable("users")
      .set({ t3kAccessToken: null, t3kRefreshToken: null, t3kTokenExpiresAt: null })
      .where("id", "=", userId)
      .execute();
    await page.goto(`${stack.url}/`);
    const notice = page.getByTestId("tone3000-lapsed");
    await notice.waitFor();
    await notice.getByRole("link", { name: "Sign in with Tone 3000 again" }).click();
    await page.waitForURL(`${stack.url}/`);
    await page.getByTestId("user").waitFor();
    await expect(notice.count()).resolves.toBe(0);
  }, 60_000);

  it("signs out: the session ends and the pages ask to sign in again", async () => {
    await page.goto(`${stack.url}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in with Tone 3000" }).waitFor();
    await expect(page.getByTestId("user").count()).resolves.toBe(0);
    const me = await page.request.get(`${stack.url}/trpc/auth.me`);
    expect(((await me.json()) as { result: { data: unknown } }).result.data).toBeNull();
    await page.goto(`${stack.url}${shootoutUrl.replace("/shootouts/", "/jobs/")}`);
    await page.getByRole("link", { name: "Sign in with Tone 3000" }).waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
