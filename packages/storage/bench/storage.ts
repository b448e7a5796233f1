/**
 * `pnpm bench:storage`: what each storage backend costs for the objects a render writes and a
 * listener downloads. Puts BENCH_OBJECT_MB (default 25: about one 2-minute 24-bit FLAC tone)
 * of random bytes in 64 KiB pieces, as an upload arrives, then reads it back whole and takes 50
 * random 64 KiB ranges (seeking in a player). Backends: a local directory, the database on
 * embedded PGlite (chunks written as base64 text), and the database on Postgres (as bytea) (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test; a temporary database is created and dropped), and
 * S3: s3rver in-process by default (its figures are s3rver's, a test server writing files, not a
 * real store's), or a real bucket with BENCH_S3_ENDPOINT, BENCH_S3_BUCKET, BENCH_S3_REGION,
 * BENCH_S3_ACCESS_KEY_ID, BENCH_S3_SECRET_ACCESS_KEY.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { createDb, type Database, migrateToLatest } from "@shootout/db";
import { databaseUrlFor } from "@shootout/db/testing";
import pg from "pg";
import { createDatabaseStorage, createLocalStorage, createS3Storage, type Storage } from "../src/index.ts";
import { startS3TestServer } from "../src/testing/s3-test-server.ts";

const OBJECT_MB = Number(process.env.BENCH_OBJECT_MB ?? 25);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PIECE = 64 * 1024;
const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

async function* pieces(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += PIECE) yield bytes.subarray(at, at + PIECE);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(name: string, storage: Storage) {
  const puts: number[] = [];
  const gets: number[] = [];
  const seeks: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bytes = randomBytes(OBJECT_MB * 1024 * 1024);
    let t = performance.now();
    const stored = await storage.put(pieces(bytes));
    puts.push(performance.now() - t);
    t = performance.now();
    const back = await buffer(await storage.get(stored.key));
    gets.push(performance.now() - t);
    if (Buffer.compare(back, bytes) !== 0) throw new Error(`${name}: read back different bytes`);
    t = performance.now();
    for (let i = 0; i < 50; i++) {
      const start = Math.floor(Math.random() * (bytes.byteLength - PIECE));
      await buffer(await storage.get(stored.key, { start, end: start + PIECE - 1 }));
    }
    seeks.push((performance.now() - t) / 50);
    await storage.delete(stored.key);
  }
  const mbps = (ms: number) => (OBJECT_MB / (ms / 1000)).toFixed(0).padStart(5);
  console.log(
    `${name.padEnd(22)} put ${mbps(median(puts))} MB/s   get ${mbps(median(gets))} MB/s   64 KiB range ${median(seeks).toFixed(2).padStart(6)} ms`,
  );
}

console.log(`storage: ${OBJECT_MB} MB objects, median of ${ROUNDS} rounds; ${os.cpus().length} cores`);

const dir = mkdtempSync(path.join(os.tmpdir(), "bench-storage-"));
try {
  await measure("local directory", createLocalStorage(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pgliteDir = mkdtempSync(path.join(os.tmpdir(), "bench-storage-pglite-"));
let lite: Database | null = null;
try {
  lite = await createDb({ pgliteDataDir: pgliteDir });
  await migrateToLatest(lite.db);
  await measure("database (PGlite)", createDatabaseStorage(lite.db, { writeAsText: true }));
} finally {
  await lite?.close();
  rmSync(pgliteDir, { recursive: true, force: true });
}

const dbName = `shootout_bench_storage_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
let server: Database | null = null;
try {
  server = await createDb({ databaseUrl: databaseUrlFor(serverUrl, dbName), poolMax: 4 });
  await migrateToLatest(server.db);
  await measure("database (Postgres)", createDatabaseStorage(server.db));
} finally {
  await server?.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}

const realBucket = process.env.BENCH_S3_BUCKET;
const s3 = realBucket ? null : await startS3TestServer();
try {
  const endpoint = process.env.BENCH_S3_ENDPOINT ?? s3?.endpoint;
  const accessKeyId = process.env.BENCH_S3_ACCESS_KEY_ID ?? s3?.accessKeyId;
  const secretAccessKey = process.env.BENCH_S3_SECRET_ACCESS_KEY ?? s3?.secretAccessKey;
  await measure(
    s3 ? "S3 (s3rver in-process)" : "S3",
    createS3Storage({
      endpoint,
      region: process.env.BENCH_S3_REGION ?? "us-east-1",
      bucket: realBucket ?? s3!.bucket,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    }),
  );
} finally {
  await s3?.close();
}
