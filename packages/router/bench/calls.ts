/**
 * `pnpm bench:router`: in-process latency of router calls through `createCaller` (no HTTP), so the
 * router's own cost (session re-validation, input/output zod, the queries) can be told apart from
 * the transport's (`pnpm bench:api` measures over HTTP). Embedded PGlite by default;
 * with TEST_DATABASE_URL, on a bench database of its own that is dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { createDb, type Database, migrateToLatest } from "@shootout/db";
import { createLocalStorage } from "@shootout/storage";
import pg from "pg";
import { createCaller, createContextInner, recordUploadedFile } from "../src/index.ts";
import { createTestUser } from "../src/testing/index.ts";

const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const SHOOTOUTS = 60;

async function openDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return { database: await createDb({}), drop: async () => {} };
  const name = `shootout_bench_router_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    database: await createDb({ databaseUrl: url.toString(), poolMax: 4 }),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(38)} p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms  ${((CALLS / total) * 1000).toFixed(0)} calls/s`,
  );
}

const { database, drop } = await openDatabase();
try {
  await migrateToLatest(database.db);
  const { user, token } = await createTestUser(database.db);
  const sha256 = randomBytes(32).toString("hex");
  const di = await recordUploadedFile(database.db, {
    ownerId: user.id,
    kind: "di",
    name: "di.wav",
    mime: "audio/wav",
    sizeBytes: 1,
    sha256,
    storageKey: `sha256/${sha256.slice(0, 2)}/${sha256}`,
  });
  const caller = createCaller(
    createContextInner({
      db: database.db,
      sessionToken: token,
      storage: createLocalStorage("/tmp/shootout-bench-router"),
      jobQueue: {
        enqueueRender: () => Promise.reject(new Error("no queue in this bench")),
        cancelRender: () => Promise.reject(new Error("no queue in this bench")),
      },
    }),
  );
  const tones = Array.from({ length: 6 }, (_, i) => ({
    tone3000ToneId: `t${i}`,
    tone3000ModelId: `m${i}`,
    displayName: `Tone ${i}`,
    effects: ["eq:highpass_80hz", "gain:-3"],
  }));
  for (let i = 0; i < SHOOTOUTS; i++)
    await caller.shootouts.create({ name: `s${i}`, diFileId: di.id, tones });
  const first = await caller.shootouts.list({ limit: 20 });

  console.log(`router calls via createCaller on ${database.backend}, ${CALLS} sequential calls each`);
  await measure("auth.me (session re-validation)", () => caller.auth.me());
  await measure("shootouts.get (6 tones)", () => caller.shootouts.get({ shootoutId: first.items[0]!.id }));
  await measure("shootouts.list (20 x 6 tones)", () => caller.shootouts.list({ limit: 20 }));
  await measure("shootouts.list page 2 (cursor)", () =>
    caller.shootouts.list({ limit: 20, cursor: first.nextCursor }),
  );
  await measure("shootouts.create (6 tones)", () =>
    caller.shootouts.create({ name: "b", diFileId: di.id, tones }),
  );
} finally {
  await database.close();
  await drop();
}
