/**
 * `pnpm bench:api`: throughput and latency of `shootouts.list` (20 rows, with their tones) over
 * the real API server (tRPC over HTTP, session from a bearer token), side by side with a raw
 * `node:http` + `pg` handler running the very same SQL (captured from the tRPC path: session
 * validation, the list query, the tones query). Same process, same pool size, same load
 * generator (a keep-alive client in a worker thread), alternating runs. Needs TEST_DATABASE_URL;
 * creates and drops a database of its own.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadEnv } from "@shootout/config";
import { createBoss, createDb, type DB, migrateToLatest } from "@shootout/db";
import { createJobQueue } from "@shootout/jobs";
import { createCaller, createContextInner, parseSessionToken, recordUploadedFile } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createLocalStorage } from "@shootout/storage";
import { CamelCasePlugin, type CompiledQuery, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import pino from "pino";
import { createApiServer } from "../src/server.ts";
import { type LoadOptions, type LoadResult, loadResult } from "./load.ts";

const ROWS = 20;
const POOL_MAX = 10;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  process.stderr.write(
    "bench:api needs TEST_DATABASE_URL (a Postgres server; a bench database is created on it)\n",
  );
  process.exit(1);
}

interface Measured extends LoadResult {
  /** CPU time of this (server) process per request, in microseconds: load-independent. */
  readonly cpuUsPerRequest: number;
}

/** Runs the load generator in a child process; measures this process's CPU meanwhile. */
function load(options: LoadOptions): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const cpu = process.cpuUsage();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./load.ts", import.meta.url)), JSON.stringify(options)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const used = process.cpuUsage(cpu);
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      const result = loadResult.parse(JSON.parse(out));
      resolve({ ...result, cpuUsPerRequest: (used.user + used.system) / Math.max(1, result.done) });
    });
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const toCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) out[toCamel(key)] = row[key];
  return out;
}

const dbName = `shootout_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
const databaseUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

try {
  const database = await createDb({ databaseUrl, poolMax: POOL_MAX });
  await migrateToLatest(database.db);
  const storage = createLocalStorage(path.join(os.tmpdir(), `${dbName}-storage`));
  // A real queue object; nothing here sends to it.
  const jobQueue = createJobQueue(createBoss(database));

  // Data: one user with 20 shootouts of 2 tones each.
  const { user, token } = await createTestUser(database.db);
  const di = await recordUploadedFile(database.db, {
    ownerId: user.id,
    kind: "di",
    name: "di.wav",
    mime: "audio/wav",
    sizeBytes: 1000,
    sha256: "a".repeat(64),
    storageKey: `sha256/aa/${"a".repeat(64)}`,
  });
  const seedCaller = createCaller(
    createContextInner({ db: database.db, storage, jobQueue, sessionToken: token }),
  );
  for (let i = 0; i < ROWS; i++) {
    await seedCaller.shootouts.create({
      name: `shootout ${i}`,
      diFileId: di.id,
      tones: [
        {
          tone3000ToneId: `t${i}a`,
          tone3000ModelId: `m${i}a`,
          displayName: "Clean",
          effects: ["reverb:room"],
        },
        { tone3000ToneId: `t${i}b`, tone3000ModelId: `m${i}b`, displayName: "Lead", effects: ["gain:3"] },
      ],
    });
  }
  await admin.end().catch(() => {});

  // Capture the SQL the tRPC path runs for one call, to give the raw handler the same queries.
  const captured: CompiledQuery[] = [];
  const capturePool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const capturing = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: capturePool }),
    plugins: [new CamelCasePlugin()],
    log: (event) => {
      if (event.level === "query") captured.push(event.query);
    },
  });
  const sample = await createCaller(
    createContextInner({ db: capturing, storage, jobQueue, sessionToken: token }),
  ).shootouts.list({});
  await capturing.destroy();
  if (sample.items.length !== ROWS || captured.length !== 3) {
    throw new Error(
      `expected ${ROWS} rows in 3 queries, got ${sample.items.length} rows in ${captured.length}`,
    );
  }
  const [sessionQuery, listQuery, tonesQuery] = captured as [CompiledQuery, CompiledQuery, CompiledQuery];

  // The raw handler: same session check (parse, look up, constant-time hash compare, expiry), same queries.
  const rawPool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX });
  const raw = http.createServer(async (req, res) => {
    try {
      const parsed = parseSessionToken((req.headers.authorization ?? "").replace(/^Bearer /, ""));
      const session = parsed
        ? (
            await rawPool.query<{ user_id: string; secret_hash: Buffer; expires_at: Date }>(
              sessionQuery.sql,
              [parsed.id],
            )
          ).rows[0]
        : undefined;
      const hash = parsed ? createHash("sha256").update(parsed.secret).digest() : null;
      if (
        !session ||
        !hash ||
        !timingSafeEqual(session.secret_hash, hash) ||
        session.expires_at <= new Date()
      ) {
        res.writeHead(401).end();
        return;
      }
      const listParams = listQuery.parameters.map((p) => (p === user.id ? session.user_id : p));
      const rows = (await rawPool.query<Record<string, unknown>>(listQuery.sql, listParams)).rows;
      const page = rows.slice(0, ROWS);
      const ids = page.map((r) => r.id);
      const tonesParams =
        tonesQuery.parameters.length === 1 && Array.isArray(tonesQuery.parameters[0]) ? [ids] : ids;
      const tones = (await rawPool.query<Record<string, unknown>>(tonesQuery.sql, tonesParams)).rows;
      const byShootout = new Map<unknown, Record<string, unknown>[]>();
      for (const tone of tones) {
        const list = byShootout.get(tone.shootout_id) ?? [];
        list.push(camelRow(tone));
        byShootout.set(tone.shootout_id, list);
      }
      const items = page.map((r) => ({ ...camelRow(r), tones: byShootout.get(r.id) ?? [] }));
      const body = JSON.stringify([
        { result: { data: { items, nextCursor: rows.length > ROWS ? "next" : null } } },
      ]);
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  const rawUrl = await listen(raw);

  // The real API server, logging at warn (no per-request lines), rate limit out of the way.
  const env = loadEnv({ NODE_ENV: "production", DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" });
  const api = createApiServer({
    env,
    database,
    storage,
    log: pino({ level: "warn" }),
    context: { jobQueue },
    limits: { callsPerMinute: 1_000_000_000 },
  });
  const apiUrl = await api.listen(0, "127.0.0.1");

  const headers = { authorization: `Bearer ${token}` };
  const input = encodeURIComponent(JSON.stringify({ 0: {} }));
  const targets = {
    trpc: `${apiUrl}/trpc/shootouts.list?batch=1&input=${input}`,
    raw: `${rawUrl}/list`,
  };
  const check = await fetch(targets.trpc, { headers });
  const checked = (await check.json()) as [{ result: { data: { items: unknown[] } } }];
  if (check.status !== 200 || checked[0].result.data.items.length !== ROWS)
    throw new Error("tRPC path is broken");

  const run = (name: keyof typeof targets, requests: number) =>
    load({ url: targets[name], headers, connections: CONNECTIONS, requests, maxSeconds: MAX_SECONDS });

  // Warm both paths (JIT, pools, plan caches).
  await run("raw", 1500);
  await run("trpc", 1500);
  // BENCH_ONLY=trpc|raw: load one path only (for profiling with --cpu-prof).
  const only = process.env.BENCH_ONLY;

  const results: Record<keyof typeof targets, Measured[]> = { raw: [], trpc: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? (["raw", "trpc"] as const) : (["trpc", "raw"] as const)) {
      if (only && only !== name) continue;
      const result = await run(name, REQUESTS);
      results[name].push(result);
      console.log(
        `round ${round + 1} ${name.padEnd(4)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50ms.toFixed(2)} ms  p99 ${result.p99ms.toFixed(2)} ms  server CPU ${result.cpuUsPerRequest.toFixed(0)} µs/req  (${result.done} requests, ${result.errors} errors)`,
      );
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const summary = (name: keyof typeof targets) => ({
    rps: median(results[name].map((r) => r.rps)),
    p50: median(results[name].map((r) => r.p50ms)),
    p99: median(results[name].map((r) => r.p99ms)),
    cpu: median(results[name].map((r) => r.cpuUsPerRequest)),
  });
  const rawS = summary("raw");
  const trpcS = summary("trpc");
  console.log(
    `\nshootouts.list (${ROWS} rows), ${CONNECTIONS} keep-alive connections, pool ${POOL_MAX}, median of ${ROUNDS} rounds of ${REQUESTS}:`,
  );
  const line = (s: typeof rawS) =>
    `${s.rps.toFixed(0)} req/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, server CPU ${s.cpu.toFixed(0)} µs/req`;
  console.log(`  raw node:http + pg : ${line(rawS)}`);
  console.log(`  tRPC (API server)  : ${line(trpcS)}`);
  console.log(`  ratio tRPC/raw     : ${(trpcS.rps / rawS.rps).toFixed(2)}x throughput (target >= 0.9x)`);
  console.log(
    `  CPU ratio raw/tRPC : ${(rawS.cpu / trpcS.cpu).toFixed(2)}x (throughput ceiling when CPU-bound; load average ${os.loadavg()[0]?.toFixed(1)})`,
  );

  await api.close();
  await new Promise<void>((resolve) => raw.close(() => resolve()));
  await rawPool.end();
  await database.close();
} finally {
  const dropper = new pg.Client({ connectionString: serverUrl });
  await dropper.connect();
  await dropper.query(`drop database if exists ${dbName} with (force)`);
  await dropper.end();
}
