import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DB } from "@shootout/db";
import { createBoss } from "@shootout/db";
import { createTestDatabase, insertTestShootout, type TestDatabase } from "@shootout/db/testing";
import { createJobQueue, ensureQueues, type JobQueue } from "@shootout/jobs";
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import { type TestRenderConfig, testShootoutName } from "./fixtures/test-pipeline.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKER_ENTRY = path.join(here, "fixtures", "worker-entry.ts");

/** The queues as the worker entry ensures them, for the test's own pg-boss (which sends first). */
export async function configureTestQueues(boss: PgBoss): Promise<void> {
  await ensureQueues(boss);
}

/** A test database with a started pg-boss on it (no supervision or cron: tests drive those) and its queues. */
export async function startTestQueue(): Promise<{ t: TestDatabase; boss: PgBoss; queue: JobQueue }> {
  const t = await createTestDatabase();
  const boss = createBoss(t, { supervise: false, schedule: false });
  await boss.start();
  await configureTestQueues(boss);
  return { t, boss, queue: createJobQueue(boss) };
}

export async function seedUser(
  db: Kysely<DB>,
  name = `u${Math.random().toString(36).slice(2, 10)}`,
): Promise<string> {
  const row = await db
    .insertInto("users")
    .values({ tone3000Id: name, username: name })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedShootout(
  db: Kysely<DB>,
  ownerId: string,
  config: Partial<TestRenderConfig> = {},
  toneCount = 2,
): Promise<string> {
  const shootoutId = await insertTestShootout(db, ownerId, { name: testShootoutName(config) });
  if (toneCount > 0) {
    await db
      .insertInto("toneSelections")
      .values(
        Array.from({ length: toneCount }, (_, i) => ({
          shootoutId,
          position: i,
          tone3000ToneId: `tone-${i}`,
          tone3000ModelId: `model-${i}`,
          displayName: `Tone ${i}`,
        })),
      )
      .execute();
  }
  return shootoutId;
}

export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 50, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the worker is taking jobs. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed, for assertions and for debugging a failure. */
  output(): string;
}

/** Starts `worker-entry.ts` in a node child process on the given database. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    env: { ...process.env, LOG_LEVEL: "info", SHUTDOWN_GRACE_SECONDS: "5", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let resolveReady: () => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("worker process ready")) resolveReady();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      rejectReady(new Error(`worker exited before it was ready (${code ?? signal}):\n${out}`));
      resolve({ code, signal });
    });
  });
  return { child, pid: child.pid ?? 0, ready, exited, output: () => out };
}

/** Parses the test pipeline's run log into [start, end] intervals per job, in order of start. */
export function runIntervals(
  log: string,
  killed: { pid: number; at: number }[] = [],
): Map<string, { start: number; end: number; pid: number }[]> {
  const open = new Map<string, { start: number; pid: number }>();
  const runs = new Map<string, { start: number; end: number; pid: number }[]>();
  const close = (key: string, end: number) => {
    const run = open.get(key);
    if (!run) return;
    open.delete(key);
    const jobId = key.split(" ")[0]!;
    runs.set(jobId, [...(runs.get(jobId) ?? []), { ...run, end }]);
  };
  for (const line of log.trim().split("\n").filter(Boolean)) {
    const [at, what, jobId, attempt, pid] = line.split(" ");
    const key = `${jobId} ${attempt} ${pid}`;
    if (what === "start") open.set(key, { start: Number(at), pid: Number(pid) });
    else close(key, Number(at));
  }
  for (const key of [...open.keys()]) {
    const pid = Number(key.split(" ")[2]);
    close(key, killed.find((k) => k.pid === pid)?.at ?? Number.POSITIVE_INFINITY);
  }
  for (const list of runs.values()) list.sort((a, b) => a.start - b.start);
  return runs;
}
