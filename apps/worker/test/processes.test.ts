import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NEEDS_POSTGRES, type TestDatabase, testDatabaseUrl } from "@shootout/db/testing";
import { createJob, type JobQueue, listJobEvents } from "@shootout/jobs";
import type { PgBoss } from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  runIntervals,
  seedShootout,
  seedUser,
  spawnWorker,
  startTestQueue,
  type WorkerProcess,
  waitFor,
} from "./helpers.ts";
import { killMidRender } from "./recovery-trial.ts";

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts");

// Real worker processes (node + the test entry) sharing one Postgres database.
describe.skipIf(!testDatabaseUrl)(`worker processes (${NEEDS_POSTGRES})`, () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let dir: string;
  let runLog: string;
  let ownerId: string;
  const started: WorkerProcess[] = [];

  function worker(env: Record<string, string> = {}): WorkerProcess {
    const w = spawnWorker({
      DATABASE_URL: t.url!,
      STORAGE_DIR: path.join(dir, "storage"),
      TEST_RUN_LOG: runLog,
      WORKER_CONCURRENCY: "2",
      ...env,
    });
    started.push(w);
    return w;
  }

  async function job(jobId: string) {
    return t.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
  }

  async function untilStatus(jobId: string, statuses: string[], timeoutMs = 40_000) {
    return waitFor(
      async () => {
        const row = await job(jobId);
        return statuses.includes(row.status) ? row : null;
      },
      { timeoutMs, what: `job ${jobId} to be ${statuses.join("/")}` },
    );
  }

  async function expectContiguousEvents(jobId: string) {
    const events = await listJobEvents(t.db, jobId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    return events;
  }

  beforeAll(async () => {
    ({ t, boss, queue } = await startTestQueue());
    dir = mkdtempSync(path.join(os.tmpdir(), "worker-procs-"));
    runLog = path.join(dir, "runs.log");
    ownerId = await seedUser(t.db);
  });

  afterEach(async () => {
    // No test leaves a worker behind, whatever it asserted.
    for (const w of started.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }
    writeFileSync(runLog, "");
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("two workers, many jobs: every job completes once and none runs twice at the same time", async () => {
    const a = worker();
    const b = worker();
    await Promise.all([a.ready, b.ready]);
    const jobIds: string[] = [];
    for (let i = 0; i < 24; i++) {
      const shootoutId = await seedShootout(t.db, ownerId, { steps: 4, chunkMs: 40 });
      jobIds.push((await createJob(t.db, queue, { shootoutId, ownerId })).job.id);
    }
    for (const id of jobIds)
      expect(await untilStatus(id, ["completed", "failed", "cancelled"])).toMatchObject({
        status: "completed",
        attempts: 1,
      });

    const runs = runIntervals(readFileSync(runLog, "utf8"));
    const pids = new Set<number>();
    for (const id of jobIds) {
      const jobRuns = runs.get(id) ?? [];
      expect(jobRuns).toHaveLength(1);
      for (const r of jobRuns) pids.add(r.pid);
      const events = await expectContiguousEvents(id);
      expect(events.filter((e) => e.status === "completed")).toHaveLength(1);
    }
    // Both processes took work: the queue, not luck, kept them apart.
    expect(pids).toEqual(new Set([a.pid, b.pid]));
  });

  it("SIGKILL mid-job: the job completes on another worker, once, with its outputs replaced", async () => {
    const doomed = worker({ WORKER_CONCURRENCY: "1" });
    await doomed.ready;
    const shootoutId = await seedShootout(t.db, ownerId, {
      steps: 3,
      chunkMs: 30,
      outputs: 2,
      hangAfterOutputs: true,
    });
    const { job: created } = await createJob(t.db, queue, { shootoutId, ownerId });
    // Killed after writing its outputs, before completing: the worst moment for duplicates.
    await waitFor(
      async () =>
        (await t.db.selectFrom("files").select("id").where("jobId", "=", created.id).execute()).length === 2,
      { what: "the first attempt's outputs" },
    );
    const firstOutputs = await t.db
      .selectFrom("files")
      .select("id")
      .where("jobId", "=", created.id)
      .execute();
    doomed.child.kill("SIGKILL");
    const killedAt = Date.now();
    await doomed.exited;
    expect((await job(created.id)).status).toBe("running"); // nobody is on it, and nobody knows yet

    const rescuer = worker({ WORKER_CONCURRENCY: "1" });
    const done = await untilStatus(created.id, ["completed", "failed"], 60_000);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
    const outputs = await t.db.selectFrom("files").select("id").where("jobId", "=", created.id).execute();
    expect(outputs).toHaveLength(2);
    expect(outputs.map((o) => o.id)).not.toEqual(expect.arrayContaining(firstOutputs.map((o) => o.id)));
    const result = done.result as { attempt: number; outputs: string[] };
    expect(result.attempt).toBe(2);
    expect(new Set(result.outputs)).toEqual(new Set(outputs.map((o) => o.id)));

    const events = await expectContiguousEvents(created.id);
    expect(events.filter((e) => e.status === "completed")).toHaveLength(1);
    expect(events.map((e) => e.message)).toContain("Started again (the previous worker stopped responding)");
    const runs = runIntervals(readFileSync(runLog, "utf8"), [{ pid: doomed.pid, at: killedAt }]).get(
      created.id,
    )!;
    expect(runs.map((r) => r.pid)).toEqual([doomed.pid, rescuer.pid]);
    expect(runs[1]!.start).toBeGreaterThan(runs[0]!.end);
  }, 90_000);

  it("SIGKILL mid-render with another worker running: the other completes it once, within 15 s of the kill", async () => {
    const a = worker({ WORKER_CONCURRENCY: "1" });
    const b = worker({ WORKER_CONCURRENCY: "1" });
    await Promise.all([a.ready, b.ready]);
    const trial = await killMidRender({ db: t.db, queue, ownerId, workers: [a, b], runLog });
    console.log(
      `[recovery] kill → pickup ${trial.killToPickupMs} ms, kill → completion ${trial.killToCompletionMs} ms`,
    );
    expect(trial).toMatchObject({ renders: 2, completedEvents: 1, attempts: 2 });
    // Heartbeat (10 s) + supervision (1 s, 2 s at worst) + poll (1 s), and a 1 s render.
    expect(trial.killToCompletionMs).toBeLessThan(15_000);
    const events = await expectContiguousEvents(trial.jobId);
    expect(events.at(-1)).toMatchObject({ status: "completed" });
  }, 60_000);

  it("SIGTERM mid-job within the grace period: the render finishes, then the process exits", async () => {
    const w = worker({ SHUTDOWN_GRACE_SECONDS: "10" });
    await w.ready;
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 20, chunkMs: 50 });
    const { job: created } = await createJob(t.db, queue, { shootoutId, ownerId });
    await untilStatus(created.id, ["running"]);
    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(await job(created.id)).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("SIGTERM past the grace period: the render is handed back, never left running, and completes elsewhere", async () => {
    const w = worker({ SHUTDOWN_GRACE_SECONDS: "1" });
    await w.ready;
    const shootoutId = await seedShootout(t.db, ownerId, { steps: 120, chunkMs: 25 });
    const { job: created } = await createJob(t.db, queue, { shootoutId, ownerId });
    await waitFor(async () => (await job(created.id)).progress > 0, { what: "progress" });
    const asked = Date.now();
    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - asked).toBeLessThan(5_000);
    const handedBack = await job(created.id);
    expect(handedBack.status).toBe("queued");

    worker();
    const done = await untilStatus(created.id, ["completed", "failed"]);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
    const events = await expectContiguousEvents(created.id);
    expect(events.filter((e) => e.status === "completed")).toHaveLength(1);
  }, 60_000);

  it("main.ts (the standalone worker, real pipeline) claims a job and settles it with a readable error", async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: t.url!,
        STORAGE_DIR: path.join(dir, "storage"),
        LOG_LEVEL: "info",
        WORKER_CONCURRENCY: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const shootoutId = await seedShootout(t.db, ownerId, {}, 3);
      const { job: created } = await createJob(t.db, queue, { shootoutId, ownerId });
      // The seeded DI has no bytes in storage: the real pipeline cannot render it, and the user
      // sees a message without internals (storage keys, stacks) once the retries are spent.
      const done = await untilStatus(created.id, ["completed", "failed"]);
      expect(done.status, output).toBe("failed");
      expect(done.attempts).toBeGreaterThanOrEqual(1);
      expect(done.error).toBeTruthy();
      expect(done.error).not.toMatch(/sha256|at .*\.ts:/);
      const messages = (await listJobEvents(t.db, created.id)).map((e) => e.message);
      expect(messages).toContain("Started");
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });
});
