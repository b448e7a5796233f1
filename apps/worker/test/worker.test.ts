import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestDatabase } from "@shootout/db/testing";
import {
  cancelJob,
  createJob,
  type JobQueue,
  listJobEvents,
  RENDER_DEAD_LETTER_QUEUE,
  retryJob,
} from "@shootout/jobs";
import { createLocalStorage, type Storage } from "@shootout/storage";
import type { PgBoss } from "pg-boss";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../src/index.ts";
import { createTestPipeline } from "./fixtures/test-pipeline.ts";
import { seedShootout, seedUser, startTestQueue, waitFor } from "./helpers.ts";

const log = pino({ level: "silent" });

// In-process worker on whichever backend the tests run on (PGlite by default, Postgres with
// TEST_DATABASE_URL): the same code the embedded API runs.
describe("worker (in-process)", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let storage: Storage;
  let storageDir: string;
  let worker: RunningWorker;
  let ownerId: string;

  async function statusOf(jobId: string) {
    return t.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
  }

  async function finished(jobId: string, timeoutMs = 20_000) {
    return waitFor(
      async () => {
        const job = await statusOf(jobId);
        return ["completed", "failed", "cancelled"].includes(job.status) ? job : null;
      },
      { timeoutMs, what: `job ${jobId} to finish` },
    );
  }

  async function outputsOf(jobId: string) {
    return t.db.selectFrom("files").select(["id", "storageKey"]).where("jobId", "=", jobId).execute();
  }

  beforeAll(async () => {
    ({ t, boss, queue } = await startTestQueue());
    storageDir = mkdtempSync(path.join(os.tmpdir(), "worker-test-"));
    storage = createLocalStorage(storageDir);
    worker = await startWorker({
      database: t,
      boss,
      storage,
      log,
      pipeline: createTestPipeline(),
      concurrency: 2,
    });
    ownerId = await seedUser(t.db);
  });

  afterAll(async () => {
    await worker?.stop(0);
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it("runs a job queued → running → completed, with timestamps, attempts, result and ordered events", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 20, chunkMs: 25, outputs: 2 });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const done = await finished(job.id);

    expect(done).toMatchObject({ status: "completed", progress: 100, attempts: 1, error: null });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    expect(done.result).toMatchObject({ attempt: 1 });
    expect(await outputsOf(job.id)).toHaveLength(2);

    const events = await listJobEvents(t.db, job.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ status: "queued" });
    expect(events[1]).toMatchObject({ status: "running", message: "Started" });
    expect(events.at(-1)).toMatchObject({ status: "completed", progress: 100 });
    // Throttled: 20 chunks in ~500 ms make a handful of progress events, each ≥ 100 ms apart.
    const progress = events.filter((e) => e.status === "running").slice(1);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.length).toBeLessThan(10);
    for (let i = 1; i < progress.length; i++) {
      const gap = Date.parse(progress[i]!.at) - Date.parse(progress[i - 1]!.at);
      expect(gap).toBeGreaterThanOrEqual(99);
    }
    const percents = progress.map((e) => e.progress);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it("cancel mid-job stops the render within a second and removes its partial outputs", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, {
      steps: 400,
      chunkMs: 25,
      outputs: 1,
      earlyOutputs: true,
    });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await waitFor(async () => (await statusOf(job.id)).progress > 0, { what: "progress" });
    expect(await outputsOf(job.id)).toHaveLength(1);

    const asked = Date.now();
    await cancelJob(t.db, queue, { jobId: job.id, ownerId });
    const done = await finished(job.id, 5_000);
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(done).toMatchObject({ status: "cancelled" });
    expect(done.finishedAt).not.toBeNull();
    expect(await outputsOf(job.id)).toEqual([]);
    expect(worker.activeJobIds()).not.toContain(job.id);

    const events = await listJobEvents(t.db, job.id);
    expect(events.at(-1)).toMatchObject({ status: "cancelled" });
    expect(events.at(-2)).toMatchObject({ status: "running", message: "Cancelling…" });
    // Nothing more is written after the cancel has been recorded.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await listJobEvents(t.db, job.id)).length).toBe(events.length);
  });

  it("a user-facing failure fails at once with its message; a retry then succeeds", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 3, failUntil: 1, failKind: "user" });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const failed = await finished(job.id);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 1,
      error: "The DI file could not be decoded.",
      message: "The DI file could not be decoded.",
    });
    expect(failed.finishedAt).not.toBeNull();

    await retryJob(t.db, queue, { jobId: job.id, ownerId });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: "completed", attempts: 2, error: null });
    const statuses = (await listJobEvents(t.db, job.id)).map((e) => e.status);
    expect(statuses.filter((s) => s !== "running")).toEqual(["queued", "failed", "queued", "completed"]);
  });

  it("an internal error is retried by the queue and shown to users without its details", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 2, failUntil: 1, failKind: "internal" });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
    const events = await listJobEvents(t.db, job.id);
    const retrying = events.find((e) => e.status === "queued" && e.seq > 1);
    expect(retrying?.message).toBe("The render failed because of an internal error. Trying again shortly.");
    expect(events.some((e) => e.message.includes("0xdead"))).toBe(false);
  });

  it("retries exhausted: failed with a readable message, details kept out", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 1, failUntil: 99, failKind: "internal" });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const done = await finished(job.id);
    expect(done).toMatchObject({
      status: "failed",
      attempts: 3, // the first try and the queue's two retries
      error: "The render failed because of an internal error.",
    });
  });

  it("a dead-lettered render (its workers kept dying) is marked failed", async () => {
    const shootoutId = await seedShootout(t.db, ownerId);
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await finished(job.id);
    // As the queue leaves it when a worker dies on the last attempt: running, nobody on it.
    await t.db
      .updateTable("jobs")
      .set({ status: "running", finishedAt: null })
      .where("id", "=", job.id)
      .execute();
    await boss.send(RENDER_DEAD_LETTER_QUEUE, { jobId: job.id });
    const dead = await finished(job.id);
    expect(dead.status).toBe("failed");
    expect(dead.error).toMatch(/stopped unexpectedly too many times/);
  });

  it("a stale queue message (the job was retried under a new one) renders nothing", async () => {
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 2 });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await finished(job.id);
    const before = (await listJobEvents(t.db, job.id)).length;
    await t.db.updateTable("jobs").set({ status: "queued" }).where("id", "=", job.id).execute();
    await boss.send("shootout-render", { jobId: job.id });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await statusOf(job.id)).attempts).toBe(1);
    expect((await listJobEvents(t.db, job.id)).length).toBe(before);
  });
});

describe("worker stop (in-process)", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let storageDir: string;

  beforeAll(async () => {
    ({ t, boss, queue } = await startTestQueue());
    storageDir = mkdtempSync(path.join(os.tmpdir(), "worker-stop-"));
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const start = () =>
    startWorker({
      database: t,
      boss,
      storage: createLocalStorage(storageDir),
      log,
      pipeline: createTestPipeline(),
      concurrency: 1,
    });

  it("lets a render finish within the grace period", async () => {
    const worker = await start();
    const ownerId = await seedUser(t.db);
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 10, chunkMs: 30 });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await waitFor(async () => worker.activeJobIds().includes(job.id), { what: "the render to start" });
    await worker.stop(10);
    const row = await t.db.selectFrom("jobs").selectAll().where("id", "=", job.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("completed");
  });

  it("hands a render back when the grace runs out; another worker completes it", async () => {
    const first = await start();
    const ownerId = await seedUser(t.db);
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 200, chunkMs: 25 });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await waitFor(async () => first.activeJobIds().includes(job.id), { what: "the render to start" });
    const asked = Date.now();
    await first.stop(0.2);
    expect(Date.now() - asked).toBeLessThan(2_000);
    const handedBack = await t.db
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    expect(handedBack.status).toBe("queued");
    expect(handedBack.queueJobId).not.toBe(job.queueJobId);

    const second = await start();
    try {
      const done = await waitFor(
        async () => {
          const row = await t.db
            .selectFrom("jobs")
            .selectAll()
            .where("id", "=", job.id)
            .executeTakeFirstOrThrow();
          return row.status === "completed" ? row : null;
        },
        { what: "the handed-back job to complete" },
      );
      expect(done.attempts).toBe(2);
      const events = await listJobEvents(t.db, job.id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.map((e) => e.message)).toContain("A worker stopped; waiting for another one");
    } finally {
      await second.stop(0);
    }
  });
});
