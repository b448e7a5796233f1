import { createBoss } from "@shootout/db";
import { createTestDatabase, insertTestShootout, type TestDatabase } from "@shootout/db/testing";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelJob,
  createJob,
  createJobQueue,
  deleteJob,
  ensureQueues,
  type JobQueue,
  listJobEvents,
  RENDER_QUEUE,
  retryJob,
} from "../src/index.ts";

describe("job lifecycle", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let ownerId: string;
  let otherId: string;

  const newShootout = (owner = ownerId) => insertTestShootout(t.db, owner);

  beforeAll(async () => {
    t = await createTestDatabase();
    boss = createBoss(t, { supervise: false, schedule: false });
    await boss.start();
    await ensureQueues(boss);
    await ensureQueues(boss); // idempotent: a second start updates instead of failing
    queue = createJobQueue(boss);
    const users = await t.db
      .insertInto("users")
      .values([
        { tone3000Id: "a", username: "a" },
        { tone3000Id: "b", username: "b" },
      ])
      .returning("id")
      .execute();
    ownerId = users[0]!.id;
    otherId = users[1]!.id;
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  it("creates a queued job with its queue entry and first event; a second create returns it", async () => {
    const shootoutId = await newShootout();
    const first = await createJob(t.db, queue, { shootoutId, ownerId });
    expect(first.created).toBe(true);
    expect(first.job.status).toBe("queued");
    const queued = await boss.getJobById(RENDER_QUEUE, first.job.queueJobId!);
    expect(queued?.data).toEqual({ jobId: first.job.id });

    const again = await createJob(t.db, queue, { shootoutId, ownerId });
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });

    const events = await listJobEvents(t.db, first.job.id);
    expect(events.map((e) => [e.seq, e.status])).toEqual([[1, "queued"]]);
  });

  it("concurrent creates for one shootout make exactly one job", async () => {
    const shootoutId = await newShootout();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createJob(t.db, queue, { shootoutId, ownerId })),
    );
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("someone else's shootout or job is not found", async () => {
    const shootoutId = await newShootout();
    await expect(createJob(t.db, queue, { shootoutId, ownerId: otherId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await expect(cancelJob(t.db, queue, { jobId: job.id, ownerId: otherId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("cancels a queued job at once and removes it from the queue; retry queues it again", async () => {
    const shootoutId = await newShootout();
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    const cancelled = await cancelJob(t.db, queue, { jobId: job.id, ownerId });
    expect(cancelled.status).toBe("cancelled");
    expect((await boss.getJobById(RENDER_QUEUE, job.queueJobId!))?.state).toBe("cancelled");
    await expect(cancelJob(t.db, queue, { jobId: job.id, ownerId })).rejects.toMatchObject({
      code: "CONFLICT",
    });

    const retried = await retryJob(t.db, queue, { jobId: job.id, ownerId });
    expect(retried.status).toBe("queued");
    expect(retried.queueJobId).not.toBe(job.queueJobId);
    const events = await listJobEvents(t.db, job.id);
    expect(events.map((e) => [e.seq, e.status])).toEqual([
      [1, "queued"],
      [2, "cancelled"],
      [3, "queued"],
    ]);
    expect((await listJobEvents(t.db, job.id, 2)).map((e) => e.seq)).toEqual([3]);
  });

  it("flags a running job for its worker instead of cancelling it outright", async () => {
    const shootoutId = await newShootout();
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await t.db.updateTable("jobs").set({ status: "running" }).where("id", "=", job.id).execute();
    const after = await cancelJob(t.db, queue, { jobId: job.id, ownerId });
    expect(after.status).toBe("running");
    expect(after.cancelRequestedAt).not.toBeNull();
  });

  it("deletes only finished jobs", async () => {
    const shootoutId = await newShootout();
    const { job } = await createJob(t.db, queue, { shootoutId, ownerId });
    await expect(deleteJob(t.db, { jobId: job.id, ownerId })).rejects.toMatchObject({ code: "CONFLICT" });
    await cancelJob(t.db, queue, { jobId: job.id, ownerId });
    await deleteJob(t.db, { jobId: job.id, ownerId });
    expect(
      await t.db.selectFrom("jobs").where("id", "=", job.id).select("id").executeTakeFirst(),
    ).toBeUndefined();
  });
});
