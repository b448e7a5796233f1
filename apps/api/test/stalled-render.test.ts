import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NEEDS_POSTGRES, type TestDatabase, testDatabaseUrl } from "@shootout/db/testing";
import { createJob, type JobQueue, RENDER_HEARTBEAT_SECONDS, STALLED_RENDER_MESSAGE } from "@shootout/jobs";
import { createTestUser } from "@shootout/router/testing";
import { seedShootout, spawnWorker, startTestQueue, waitFor } from "@shootout/worker/testing";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, spawnApi } from "./helpers/api-process.ts";

// The API and a worker as processes: the worker is SIGKILLed mid-render with no other worker to
// take its job, and the API stops showing the job frozen at its last progress.
describe.skipIf(!testDatabaseUrl)(`a render whose worker died (${NEEDS_POSTGRES})`, () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let dir: string;
  let api: ApiProcess;
  const workers: ReturnType<typeof spawnWorker>[] = [];

  beforeAll(async () => {
    ({ t, boss, queue } = await startTestQueue());
    dir = mkdtempSync(path.join(os.tmpdir(), "stalled-render-"));
    writeFileSync(path.join(dir, "runs.log"), "");
  });
  afterAll(async () => {
    for (const child of [api?.child, ...workers.map((w) => w.child)]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await Promise.all([api?.exited, ...workers.map((w) => w.exited)]);
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows as waiting for a worker once its heartbeat lapses, then completes on the next worker", async () => {
    const worker = () => {
      const w = spawnWorker({
        DATABASE_URL: t.url!,
        STORAGE_DIR: path.join(dir, "storage"),
        TEST_RUN_LOG: path.join(dir, "runs.log"),
        WORKER_CONCURRENCY: "1",
      });
      workers.push(w);
      return w;
    };
    api = spawnApi({
      DATABASE_URL: t.url!,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      STORAGE_DIR: path.join(dir, "storage"),
    });
    const doomed = worker();
    const url = await api.url;
    await doomed.ready;
    const { user, token } = await createTestUser(t.db);
    const shootoutId = await seedShootout(t.db, user.id, { firstSteps: 600, steps: 5, chunkMs: 100 });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId: user.id });
    const get = async () => {
      const input = encodeURIComponent(JSON.stringify({ jobId: job.id }));
      const res = await fetch(`${url}/trpc/jobs.get?input=${input}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return (
        (await res.json()) as { result: { data: { status: string; progress: number; message: string } } }
      ).result.data;
    };
    await waitFor(async () => (await get()).progress >= 5, { what: "the render to report progress" });
    doomed.child.kill("SIGKILL");
    const killedAt = Date.now();
    await doomed.exited;

    const waiting = await waitFor(
      async () => {
        const shown = await get();
        return shown.status === "queued" ? shown : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the job to show as waiting for a worker" },
    );
    const shownAfterMs = Date.now() - killedAt;
    expect(waiting).toMatchObject({ status: "queued", progress: 0, message: STALLED_RENDER_MESSAGE });
    // The heartbeat lapses within its 10 s; the API looks every 2 s.
    expect(shownAfterMs).toBeLessThan((RENDER_HEARTBEAT_SECONDS + 5) * 1000);
    expect(api.output()).toMatch(/render stalled/);

    worker();
    await waitFor(async () => (await get()).status === "completed", {
      timeoutMs: 30_000,
      what: "the job to complete on the new worker",
    });
  }, 90_000);
});
