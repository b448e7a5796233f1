import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  insertTestDiFile,
  insertTestIrFile,
  NEEDS_POSTGRES,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
  testDatabaseUrl,
} from "@shootout/db/testing";
import { createJob, type JobQueue, listJobEvents } from "@shootout/jobs";
import { createTestUser } from "@shootout/router/testing";
import { runIntervals, seedShootout, spawnWorker, startTestQueue, waitFor } from "@shootout/worker/testing";
import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, spawnApi } from "./helpers/api-process.ts";

const OUTAGES = 5;
const OUTAGE_MS = 3_000;
const UP_MS = 3_000;
const LOOPS = 8;
const JOBS = 16;

interface Answer {
  at: number;
  status: number;
  code: string | null;
}

// The API and two workers as separate processes on Postgres, reaching it through a proxy that
// drops every connection and refuses new ones for a few seconds, over and over (a restart, as
// the clients see it; the backends of this test's own database are terminated as well), while
// shootouts are created over HTTP in a loop and renders report progress.
describe.skipIf(!testDatabaseUrl)(`Postgres restarts under load (${NEEDS_POSTGRES})`, () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let proxy: TcpProxy;
  let dir: string;
  let api: ApiProcess;
  const workers: ReturnType<typeof spawnWorker>[] = [];

  beforeAll(async () => {
    const started = await startTestQueue();
    ({ t, boss, queue } = started);
    proxy = await startTcpProxy(t.url!);
    dir = mkdtempSync(path.join(os.tmpdir(), "db-restarts-"));
    writeFileSync(path.join(dir, "runs.log"), "");
  });

  afterAll(async () => {
    for (const child of [api?.child, ...workers.map((w) => w.child)]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await Promise.all([api?.exited, ...workers.map((w) => w.exited)]);
    await proxy?.close();
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("no process dies, the API answers 503 (never 500) while it is away and recovers, every job completes once", async () => {
    const runLog = path.join(dir, "runs.log");
    api = spawnApi({
      DATABASE_URL: proxy.url,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      STORAGE_DIR: path.join(dir, "storage"),
      RATE_LIMIT_PER_MINUTE: "1000000",
      SHUTDOWN_GRACE_SECONDS: "2",
    });
    for (let i = 0; i < 2; i++) {
      workers.push(
        spawnWorker({
          DATABASE_URL: proxy.url,
          STORAGE_DIR: path.join(dir, "storage"),
          TEST_RUN_LOG: runLog,
          WORKER_CONCURRENCY: "2",
        }),
      );
    }
    const url = await api.url;
    await Promise.all(workers.map((w) => w.ready));

    const { user, token } = await createTestUser(t.db);
    const diFileId = await insertTestDiFile(t.db, user.id);
    // Cabinet-only tones of the user's own uploads: saving them asks nothing of Tone 3000.
    const irFileIds = [await insertTestIrFile(t.db, user.id), await insertTestIrFile(t.db, user.id)];
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const shootoutId = await seedShootout(t.db, user.id, { steps: 20 + (i % 4) * 10, chunkMs: 100 });
      jobIds.push((await createJob(t.db, queue, { shootoutId, ownerId: user.id })).job.id);
    }

    // Concurrent writers over HTTP, each creating shootouts as fast as answers come.
    const answers: Answer[] = [];
    let loading = true;
    const create = async (n: number): Promise<Answer> => {
      const at = Date.now();
      try {
        const res = await fetch(`${url}/trpc/shootouts.create`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            name: `load ${n}`,
            diFileId,
            tones: irFileIds.map((irFileId, i) => ({
              displayName: `Cab ${i + 1}`,
              cabinet: { source: "upload", irFileId },
            })),
          }),
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await res.json()) as { error?: { data?: { code?: string } } };
        if (res.status === 503) expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
        return { at, status: res.status, code: body.error?.data?.code ?? null };
      } catch (error) {
        return { at, status: 0, code: error instanceof Error ? error.message : String(error) };
      }
    };
    const loops = Array.from({ length: LOOPS }, async (_, loop) => {
      for (let n = 0; loading; n++) {
        answers.push(await create(loop * 100_000 + n));
        // A refused call comes back at once: don't spin on it.
        if (answers.at(-1)!.status !== 200) await sleep(50);
      }
    });

    const outages: { from: number; to: number }[] = [];
    const readyWhileAway: number[] = [];
    for (let round = 0; round < OUTAGES; round++) {
      await sleep(UP_MS);
      const from = Date.now();
      // Half the rounds end the backends first, so clients also see Postgres's own FATAL 57P01.
      if (round % 2 === 0) {
        const ports = proxy.upstreamPorts();
        if (ports.length > 0) {
          await sql`select pg_terminate_backend(pid) from pg_stat_activity
                    where datname = current_database() and client_port = any(${ports}::int[])`.execute(t.db);
        }
      }
      await proxy.cut();
      await sleep(OUTAGE_MS / 2);
      readyWhileAway.push((await fetch(`${url}/readyz`).catch(() => ({ status: 0 }))).status);
      await sleep(OUTAGE_MS / 2);
      await proxy.resume();
      outages.push({ from, to: Date.now() });
    }
    // Back for good: the API answers again without anyone's help.
    // The load loops themselves get a 200 for a call made after the last outage ended.
    const last = outages.at(-1)!;
    const recovered = await waitFor(async () => answers.some((a) => a.at > last.to && a.status === 200), {
      timeoutMs: 30_000,
      what: "a 200 after the last outage",
    }).catch(() => false);
    const since = answers
      .filter((a) => a.at > last.to)
      .map((a) => `${a.at - last.to}ms ${a.status} ${a.code}`);
    expect(
      recovered,
      `answers since the last outage:\n${since.join("\n")}\nAPI:\n${api.output().slice(-3000)}`,
    ).toBe(true);
    loading = false;
    await Promise.all(loops);

    for (const id of jobIds) {
      await waitFor(
        async () => {
          const row = await t.db.selectFrom("jobs").select("status").where("id", "=", id).executeTakeFirst();
          return row && ["completed", "failed", "cancelled"].includes(row.status) ? row : null;
        },
        { timeoutMs: 90_000, what: `job ${id} to finish` },
      );
    }

    const context = `API:\n${api.output().slice(-3000)}\nworkers:\n${workers.map((w) => w.output().slice(-3000)).join("\n")}`;
    // Nobody died.
    expect(api.alive(), context).toBe(true);
    for (const w of workers) expect(w.child.exitCode, context).toBeNull();

    // 503 while away, never a 500 or a dropped connection; and plenty of successes around them.
    const statuses = new Map<string, number>();
    for (const a of answers) {
      const key = `${a.status} ${a.code ?? ""}`.trim();
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    console.log(`[db-restarts] answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(
      [...statuses.keys()].filter((k) => k !== "200" && k !== "503 SERVICE_UNAVAILABLE"),
      context,
    ).toEqual([]);
    expect(statuses.get("503 SERVICE_UNAVAILABLE") ?? 0).toBeGreaterThan(0);
    expect(readyWhileAway.every((s) => s === 503)).toBe(true);

    // Every job completed exactly once, rendered once: no restart threw a render away.
    const runs = runIntervals(readFileSync(runLog, "utf8"));
    for (const id of jobIds) {
      const row = await t.db
        .selectFrom("jobs")
        .select(["status", "attempts"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(row.status, `job ${id}\n${context}`).toBe("completed");
      expect(runs.get(id)?.length, `renders of job ${id}`).toBe(1);
      const events = await listJobEvents(t.db, id);
      expect(events.filter((e) => e.status === "completed")).toHaveLength(1);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
    // The workers did notice the database going away (else this test proved nothing).
    expect(workers.map((w) => w.output()).join("")).toMatch(/database unavailable/);
  }, 240_000);
});
