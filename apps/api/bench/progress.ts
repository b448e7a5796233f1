/**
 * `pnpm bench:progress`: live progress, end to end, on loopback.
 * 1. Latency from the commit of a job event (appendJobEvent in a transaction) to its arrival at a
 *    WebSocket client subscribed to jobs.onProgress: p50/p99 over BENCH_EVENTS events (≥ 1,000).
 * 2. Subscriptions one API process holds: BENCH_SUBSCRIPTIONS onProgress subscriptions over
 *    WebSockets (BENCH_PER_SOCKET per socket), and the API process's RSS/heap growth per one.
 * The API runs in a child process of its own (its memory is what is measured). Needs Postgres:
 * BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a server URL; a temporary database is
 * created on it and dropped afterwards), default postgres://postgres@127.0.0.1:5432/test.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, type Database, migrateToLatest } from "@shootout/db";
import { databaseUrlFor, insertTestDiFile } from "@shootout/db/testing";
import { appendJobEvent } from "@shootout/jobs";
import type { AppRouter } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import pg from "pg";
import { z } from "zod";

const EVENTS = Math.max(1_000, Number(process.env.BENCH_EVENTS ?? 1_000));
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
const PER_SOCKET = Number(process.env.BENCH_PER_SOCKET ?? 100);
const SUBS_PER_JOB = 10;
// Subscriptions opened at once (spread over the sockets, ≤ 20 per socket per wave).
const WAVE = Number(process.env.BENCH_WAVE ?? 200);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5_000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

// Bounded in time whatever happens: a stuck run ends with a non-zero exit.
setTimeout(() => {
  console.error(`bench:progress: gave up after ${TIMEOUT_MS} ms`);
  process.exit(2);
}, TIMEOUT_MS).unref();

const memoryReply = z.object({
  type: z.literal("memory"),
  rss: z.number(),
  heapUsed: z.number(),
  heapTotal: z.number(),
  external: z.number(),
  listeners: z.number(),
});
type Memory = z.infer<typeof memoryReply>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function startApi(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(here, "progress-api-server.ts"), [], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    execArgv: ["--expose-gc", ...(process.env.BENCH_API_NODE_FLAGS?.split(" ").filter(Boolean) ?? [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) =>
      resolve(z.object({ type: z.literal("ready"), url: z.string() }).parse(m).url),
    );
    child.once("exit", (code) => reject(new Error(`bench API exited early (${code})`)));
  });
  return { child, url };
}

function memoryOf(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(memoryReply.parse(m)));
    child.send({ type: "memory" });
  });
}

async function seedJobs(database: Database, ownerId: string, count: number): Promise<string[]> {
  const diFileId = await insertTestDiFile(database.db, ownerId);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const n = Math.min(500, count - start);
    const shootouts = await database.db
      .insertInto("shootouts")
      .values(Array.from({ length: n }, (_, i) => ({ ownerId, name: `bench ${start + i}`, diFileId })))
      .returning("id")
      .execute();
    // Running, with one event each: a subscription back-fills one event and then waits live.
    const jobs = await database.db
      .insertInto("jobs")
      .values(shootouts.map((s) => ({ shootoutId: s.id, ownerId, status: "running", message: "Started" })))
      .returning("id")
      .execute();
    await database.db
      .insertInto("jobEvents")
      .values(jobs.map((j) => ({ jobId: j.id, seq: 1, status: "running", progress: 0, message: "Started" })))
      .execute();
    ids.push(...jobs.map((j) => j.id));
  }
  return ids;
}

function wsClient(url: string, token: string) {
  const socket = createWSClient({ url: `${url.replace("http", "ws")}/trpc`, connectionParams: { token } });
  return { socket, trpc: createTRPCClient<AppRouter>({ links: [wsLink({ client: socket })] }) };
}

async function measureLatency(database: Database, url: string, token: string, jobId: string) {
  const { socket, trpc } = wsClient(url, token);
  const committedAt = new Map<number, number>();
  const latencies: number[] = [];
  let arrived: ((seq: number) => void) | null = null;
  let firstEvent: () => void = () => {};
  const subscribed = new Promise<void>((resolve) => {
    firstEvent = resolve;
  });
  const sub = trpc.jobs.onProgress.subscribe(
    { jobId },
    {
      onData({ data }) {
        const at = performance.now();
        const t0 = committedAt.get(data.seq);
        if (t0 !== undefined) latencies.push(at - t0);
        if (data.seq === 1) firstEvent();
        arrived?.(data.seq);
      },
      onError(error) {
        console.error("latency subscription failed", error);
        process.exit(1);
      },
    },
  );
  await subscribed;
  for (let i = 0; i < EVENTS; i++) {
    const seq = i + 2;
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event ${seq} never arrived`)), 5_000);
      arrived = (s) => {
        if (s === seq) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    await database.db.transaction().execute(async (trx) => {
      await appendJobEvent(trx, { jobId, status: "running", progress: i % 100, message: `event ${i}` });
      // Taken before COMMIT is sent: the figure includes the commit itself.
      committedAt.set(seq, performance.now());
    });
    await got;
  }
  sub.unsubscribe();
  socket.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
  };
}

async function measureSubscriptions(
  child: ChildProcess,
  url: string,
  token: string,
  jobIds: string[],
): Promise<{ before: Memory; sockets: Memory; subscribed: Memory; after: Memory; openMs: number }> {
  const before = await memoryOf(child);
  const socketCount = Math.ceil(SUBSCRIPTIONS / PER_SOCKET);
  const clients = Array.from({ length: socketCount }, () => wsClient(url, token));
  // Connect every socket (a query each) before measuring what the sockets alone cost.
  await Promise.all(clients.map((c) => c.trpc.auth.me.query()));
  const sockets = await memoryOf(child);

  const started = performance.now();
  const subs: { unsubscribe(): void }[] = [];
  // In waves, as clients arrive (and the API refuses WebSocket batches over 20 calls): each
  // subscription confirms itself with its back-filled first event.
  for (let i = 0; i < SUBSCRIPTIONS; i += WAVE) {
    const wave: Promise<void>[] = [];
    for (let j = i; j < Math.min(SUBSCRIPTIONS, i + WAVE); j++) {
      const client = clients[j % socketCount]!;
      wave.push(
        new Promise<void>((resolve, reject) => {
          subs.push(
            client.trpc.jobs.onProgress.subscribe(
              { jobId: jobIds[Math.floor(j / SUBS_PER_JOB) % jobIds.length]! },
              { onData: () => resolve(), onError: reject },
            ),
          );
        }),
      );
    }
    await Promise.all(wave);
  }
  const openMs = performance.now() - started;
  // Measured once the burst of opening is over: what holding them costs, not what opening did.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const subscribed = await memoryOf(child);

  for (const s of subs) s.unsubscribe();
  for (const c of clients) c.socket.close();
  // The server lets go of every subscription once its client has.
  let after = await memoryOf(child);
  for (let i = 0; i < 100 && after.listeners > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await memoryOf(child);
  }
  return { before, sockets, subscribed, after, openMs };
}

async function main(): Promise<void> {
  const name = `shootout_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const databaseUrl = databaseUrlFor(serverUrl, name);
  const database = await createDb({ databaseUrl, poolMax: 4, applicationName: "shootout-bench" });
  let api: { child: ChildProcess; url: string } | null = null;
  try {
    await migrateToLatest(database.db);
    const { user, token } = await createTestUser(database.db);
    const [latencyJob] = await seedJobs(database, user.id, 1);
    const jobIds = await seedJobs(database, user.id, Math.ceil(SUBSCRIPTIONS / SUBS_PER_JOB));
    api = await startApi(databaseUrl);

    const latency = await measureLatency(database, api.url, token, latencyJob!);
    console.log(
      `commit → WebSocket client, ${latency.count} events: p50 ${latency.p50.toFixed(2)} ms, ` +
        `p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms (target p50 ≤ 10, p99 ≤ 50)`,
    );

    const m = await measureSubscriptions(api.child, api.url, token, jobIds);
    const kb = (bytes: number) => (bytes / 1024).toFixed(2);
    const perSubRss = (m.subscribed.rss - m.sockets.rss) / SUBSCRIPTIONS;
    const perSubHeap =
      (m.subscribed.heapUsed + m.subscribed.external - m.sockets.heapUsed - m.sockets.external) /
      SUBSCRIPTIONS;
    const perSubAllRss = (m.subscribed.rss - m.before.rss) / SUBSCRIPTIONS;
    console.log(
      `subscriptions: ${m.subscribed.listeners} held by one API process over ${Math.ceil(SUBSCRIPTIONS / PER_SOCKET)} ` +
        `WebSockets, opened in ${(m.openMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `  per subscription: heap+external ${kb(perSubHeap)} KB, RSS ${kb(perSubRss)} KB ` +
        `(RSS incl. its share of the sockets: ${kb(perSubAllRss)} KB; target ≤ 10 KB)`,
    );
    console.log(
      `  API RSS ${(m.before.rss / 2 ** 20).toFixed(1)} MB → ${(m.sockets.rss / 2 ** 20).toFixed(1)} MB (sockets) → ` +
        `${(m.subscribed.rss / 2 ** 20).toFixed(1)} MB (subscribed); V8 heap reserved ` +
        `${(m.sockets.heapTotal / 2 ** 20).toFixed(1)} → ${(m.subscribed.heapTotal / 2 ** 20).toFixed(1)} MB; ` +
        `listeners after everyone left: ${m.after.listeners}`,
    );
    console.log(
      JSON.stringify({
        events: latency.count,
        latencyP50Ms: Number(latency.p50.toFixed(3)),
        latencyP99Ms: Number(latency.p99.toFixed(3)),
        subscriptions: m.subscribed.listeners,
        perSubscriptionHeapKB: Number(kb(perSubHeap)),
        perSubscriptionRssKB: Number(kb(perSubRss)),
        listenersLeft: m.after.listeners,
      }),
    );
  } finally {
    if (api) {
      api.child.send({ type: "stop" });
      await new Promise((resolve) => api?.child.once("exit", resolve));
    }
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
