/**
 * `pnpm bench:recovery [trials]`: how long a job whose worker was SIGKILLed mid-render waits
 * before another worker takes it, and until it completes. Two real worker processes (the test
 * entry: production queue, heartbeat and supervision settings; a 1 s scripted render) on a fresh
 * database of the Postgres at BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL; each trial kills the worker
 * rendering a new job and starts a fresh one in its place. Prints min / median / max.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBoss, createDb, migrateToLatest } from "@shootout/db";
import { databaseUrlFor } from "@shootout/db/testing";
import {
  createJobQueue,
  ensureQueues,
  RENDER_HEARTBEAT_REFRESH_SECONDS,
  RENDER_HEARTBEAT_SECONDS,
  RENDER_POLL_SECONDS,
  RENDER_RETRY_DELAY_SECONDS,
  RENDER_SUPERVISE_SECONDS,
} from "@shootout/jobs";
import { sql } from "kysely";
import { seedUser, spawnWorker, type WorkerProcess } from "../test/helpers.ts";
import { killMidRender } from "../test/recovery-trial.ts";

const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const trials = Number(process.argv[2] ?? process.env.TRIALS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000 + trials * 40_000);

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `min ${s(sorted[0]!)}, median ${s(median)}, max ${s(sorted.at(-1)!)}`;
}

const name = `shootout_bench_${randomBytes(4).toString("hex")}`;
const admin = await createDb({ databaseUrl: serverUrl, poolMax: 1, applicationName: "shootout-bench" });
await sql.raw(`create database ${name}`).execute(admin.db);
const databaseUrl = databaseUrlFor(serverUrl, name);
const dir = mkdtempSync(path.join(os.tmpdir(), "bench-recovery-"));
const runLog = path.join(dir, "runs.log");
writeFileSync(runLog, "");
const database = await createDb({ databaseUrl, poolMax: 4, applicationName: "shootout-bench" });
const boss = createBoss(database, { supervise: false, schedule: false });
const workers: WorkerProcess[] = [];
// Bounded in time whatever happens: a stuck run ends with a non-zero exit, its workers with it.
setTimeout(() => {
  console.error(`bench:recovery: gave up after ${TIMEOUT_MS} ms`);
  for (const w of workers) w.child.kill("SIGKILL");
  process.exit(1);
}, TIMEOUT_MS).unref();
try {
  await migrateToLatest(database.db);
  await boss.start();
  await ensureQueues(boss);
  const queue = createJobQueue(boss);
  const ownerId = await seedUser(database.db);
  const start = () => {
    const w = spawnWorker({
      DATABASE_URL: databaseUrl,
      STORAGE_DIR: path.join(dir, "storage"),
      TEST_RUN_LOG: runLog,
      WORKER_CONCURRENCY: "1",
      LOG_LEVEL: "info",
    });
    // A worker killed before it was ready (the last one, at the end) is no news.
    w.ready.catch(() => {});
    workers.push(w);
    return w;
  };
  start();
  start();
  console.log(
    `settings: heartbeat ${RENDER_HEARTBEAT_SECONDS} s (refreshed every ${RENDER_HEARTBEAT_REFRESH_SECONDS} s), ` +
      `supervision every ${RENDER_SUPERVISE_SECONDS} s, retry delay ${RENDER_RETRY_DELAY_SECONDS} s, ` +
      `poll ${RENDER_POLL_SECONDS} s; render 1 s; ${trials} trials`,
  );
  const pickup: number[] = [];
  const completion: number[] = [];
  for (let i = 0; i < trials; i++) {
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    await Promise.all(alive.map((w) => w.ready));
    const trial = await killMidRender({ db: database.db, queue, ownerId, workers: alive, runLog });
    if (trial.renders !== 2 || trial.completedEvents !== 1) {
      throw new Error(`trial ${i + 1}: ${trial.renders} renders, ${trial.completedEvents} completions`);
    }
    pickup.push(trial.killToPickupMs);
    completion.push(trial.killToCompletionMs);
    console.log(
      `trial ${i + 1}: kill → pickup ${(trial.killToPickupMs / 1000).toFixed(2)} s, ` +
        `kill → completion ${(trial.killToCompletionMs / 1000).toFixed(2)} s`,
    );
    start();
  }
  console.log(`kill → pickup:     ${stats(pickup)}`);
  console.log(`kill → completion: ${stats(completion)} (target ≤ 15 s)`);
  console.log(JSON.stringify({ trials, killToPickupMs: pickup, killToCompletionMs: completion }));
} finally {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await boss.stop({ graceful: false });
  await database.close();
  await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
