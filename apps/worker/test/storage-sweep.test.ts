import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestDatabase } from "@shootout/db/testing";
import { STORAGE_SWEEP_CRON, STORAGE_SWEEP_QUEUE } from "@shootout/jobs";
import { createDatabaseStorage, createLocalStorage, createS3Storage, type Storage } from "@shootout/storage";
import { type S3TestServer, startS3TestServer } from "@shootout/storage/testing";
import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../src/index.ts";
import { sweepStorage } from "../src/storage-sweep.ts";
import { createTestPipeline } from "./fixtures/test-pipeline.ts";
import { seedUser, startTestQueue, waitFor } from "./helpers.ts";

const log = pino({ level: "silent" });

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

describe("storage sweep", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let dir: string;
  let storage: Storage;
  let ownerId: string;
  let s3: S3TestServer;
  let buckets = 0;

  beforeAll(async () => {
    ({ t, boss } = await startTestQueue());
    ownerId = await seedUser(t.db);
    s3 = await startS3TestServer();
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await t?.close();
    await s3?.close();
  });

  /**
   * A fresh, empty storage (a directory, the database's tables emptied, or a new bucket of
   * s3rver) with: a file's bytes, a cached model's, and two orphans.
   */
  async function scene(backend: "local" | "database" | "s3" = "local") {
    dir = mkdtempSync(path.join(os.tmpdir(), "sweep-test-"));
    const bucket = `sweep-${buckets++}`;
    if (backend === "database") {
      await sql`truncate storage_objects, storage_chunks, storage_blobs`.execute(t.db);
      storage = createDatabaseStorage(t.db);
    } else if (backend === "s3") {
      const inBucket = createS3Storage({
        endpoint: s3.endpoint,
        region: "us-east-1",
        bucket,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      await inBucket.createBucket();
      storage = inBucket;
    } else {
      storage = createLocalStorage(dir);
    }
    const age = async (key: string, ms: number) => {
      const at = new Date(Date.now() - ms);
      if (backend === "local") utimesSync(path.join(dir, key), at, at);
      else if (backend === "s3") s3.age(key, ms, bucket);
      else await t.db.updateTable("storageObjects").set({ modifiedAt: at }).where("key", "=", key).execute();
    };
    const ofFile = await storage.put(bytes(`a file ${dir}`));
    const ofModel = await storage.put(bytes(`a model ${dir}`));
    const oldOrphan = await storage.put(bytes(`deleted long ago ${dir}`));
    const newOrphan = await storage.put(bytes(`uploaded a moment ago ${dir}`));
    for (const o of [ofFile, ofModel, oldOrphan]) await age(o.key, 3 * 3_600_000);
    await t.db
      .insertInto("files")
      .values({
        ownerId,
        kind: "di",
        name: "take.wav",
        mime: "audio/wav",
        sizeBytes: ofFile.size,
        sha256: ofFile.sha256,
        storageKey: ofFile.key,
      })
      .execute();
    await t.db
      .insertInto("modelCache")
      .values({
        tone3000ModelId: `m-${path.basename(dir)}`,
        sha256: ofModel.sha256,
        storageKey: ofModel.key,
        sizeBytes: ofModel.size,
        architecture: "WaveNet",
      })
      .execute();
    return { ofFile, ofModel, oldOrphan, newOrphan };
  }

  const keysIn = async (s: Storage) => {
    const keys: string[] = [];
    for await (const o of s.list()) keys.push(o.key);
    return keys.sort();
  };

  for (const backend of ["local", "database", "s3"] as const) {
    it(`removes old bytes nothing refers to, keeps referenced and young ones (${backend} storage)`, async () => {
      const { ofFile, ofModel, oldOrphan, newOrphan } = await scene(backend);
      try {
        const result = await sweepStorage({ db: t.db, storage, log });
        expect(result).toEqual({ removed: 1, removedBytes: oldOrphan.size, kept: 3, abandoned: 0 });
        expect(await keysIn(storage)).toEqual([ofFile.key, ofModel.key, newOrphan.key].sort());
        // Deleting the file row makes its bytes an orphan; the next sweep takes them.
        await t.db.deleteFrom("files").where("storageKey", "=", ofFile.key).execute();
        expect((await sweepStorage({ db: t.db, storage, log })).removed).toBe(1);
        expect(await keysIn(storage)).toEqual([ofModel.key, newOrphan.key].sort());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`keeps an old orphan whose bytes were put again after it was listed (an upload in flight; ${backend} storage)`, async () => {
      const { oldOrphan } = await scene(backend);
      try {
        // A storage whose listing is stale by the time the sweep judges it.
        const racing: Storage = {
          ...storage,
          async *list() {
            const listed = [];
            for await (const o of storage.list()) listed.push(o);
            await storage.put(bytes(`deleted long ago ${dir}`));
            yield* listed;
          },
        };
        const result = await sweepStorage({ db: t.db, storage: racing, log });
        expect(result.removed).toBe(0);
        expect(await storage.stat(oldOrphan.key)).toEqual({ size: oldOrphan.size });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("is scheduled hourly by pg-boss's cron, and the worker runs it", async () => {
    const schedules = await boss.getSchedules();
    expect(schedules.find((s) => s.name === STORAGE_SWEEP_QUEUE)?.cron).toBe(STORAGE_SWEEP_CRON);

    const { oldOrphan } = await scene();
    let worker: RunningWorker | undefined;
    try {
      worker = await startWorker({
        database: t,
        boss,
        storage,
        log,
        pipeline: createTestPipeline(),
        concurrency: 1,
        pollingIntervalSeconds: 1,
      });
      // What the cron would send on the hour.
      await boss.send(STORAGE_SWEEP_QUEUE, {});
      await waitFor(async () => (await storage.stat(oldOrphan.key)) === null, { what: "the sweep" });
    } finally {
      await worker?.stop(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
