import { createBoss } from "@shootout/db";
import { createTestDatabase, insertTestShootout, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendJobEvent,
  createJob,
  createJobQueue,
  ensureQueues,
  type JobQueue,
  listJobEvents,
  markStalledRenders,
  RENDER_QUEUE,
  STALLED_RENDER_MESSAGE,
} from "../src/index.ts";

describe("stalled renders", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let ownerId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    boss = createBoss(t, { supervise: false, schedule: false });
    await boss.start();
    await ensureQueues(boss);
    queue = createJobQueue(boss);
    const user = await t.db
      .insertInto("users")
      .values({ tone3000Id: "stalled", username: "stalled" })
      .returning("id")
      .executeTakeFirstOrThrow();
    ownerId = user.id;
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  /** A job whose queue message a worker fetched, and whose row it claimed and reported 40% on. */
  async function renderingJob(): Promise<{ jobId: string; queueJobId: string }> {
    const shootoutId = await insertTestShootout(t.db, ownerId);
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const [message] = await boss.fetch(RENDER_QUEUE, { batchSize: 1 });
    expect(message?.id).toBe(job.queueJobId);
    await t.db.transaction().execute(async (trx) => {
      await trx.updateTable("jobs").set({ attempts: sql`attempts + 1` }).where("id", "=", job.id).execute();
      await appendJobEvent(trx, { jobId: job.id, status: "running", progress: 0, message: "Started" });
      await appendJobEvent(trx, { jobId: job.id, status: "running", progress: 40, message: "chunk 4/10" });
    });
    return { jobId: job.id, queueJobId: job.queueJobId! };
  }

  async function row(jobId: string) {
    return t.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
  }

  it("leaves a render whose worker heartbeats alone", async () => {
    const { jobId } = await renderingJob();
    expect(await markStalledRenders(t.db, boss)).toEqual([]);
    expect(await row(jobId)).toMatchObject({ status: "running", progress: 40 });
    await boss.complete(RENDER_QUEUE, (await row(jobId)).queueJobId!);
    await t.db.updateTable("jobs").set({ status: "completed" }).where("id", "=", jobId).execute();
  });

  it("a render failed over by the queue (its worker died) shows as waiting for a worker, not frozen at 40%", async () => {
    const { jobId, queueJobId } = await renderingJob();
    // What supervision does once the heartbeat has lapsed: the message waits for a retry.
    await boss.fail(RENDER_QUEUE, queueJobId, { message: "job heartbeat timeout" });
    expect(await markStalledRenders(t.db, boss)).toEqual([jobId]);
    expect(await row(jobId)).toMatchObject({
      status: "queued",
      progress: 0,
      message: STALLED_RENDER_MESSAGE,
    });
    const events = await listJobEvents(t.db, jobId);
    expect(events.at(-1)).toMatchObject({ status: "queued", progress: 0, message: STALLED_RENDER_MESSAGE });
    // Once is enough.
    expect(await markStalledRenders(t.db, boss)).toEqual([]);
    await boss.cancel(RENDER_QUEUE, queueJobId);
    await t.db.updateTable("jobs").set({ status: "cancelled" }).where("id", "=", jobId).execute();
  });

  it("so does one whose heartbeat has lapsed before supervision got to it", async () => {
    const { jobId, queueJobId } = await renderingJob();
    // The worker died a minute ago: its last heartbeat is that old (pg-boss's own column).
    await sql`update pgboss.job set heartbeat_on = now() - interval '1 minute' where id = ${queueJobId}`.execute(
      t.db,
    );
    expect(await markStalledRenders(t.db, boss)).toEqual([jobId]);
    expect(await row(jobId)).toMatchObject({ status: "queued", message: STALLED_RENDER_MESSAGE });
  });
});
