import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobQueue, ensureQueues, type JobQueue, RENDER_QUEUE } from "@shootout/jobs";
import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError, newestFirst, seedFile, shootoutInput, tone } from "./helpers.ts";

describe("jobs procedures (real pg-boss queue)", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let jobQueue: JobQueue;

  beforeAll(async () => {
    t = await createTestDatabase();
    boss = createBoss(t, { supervise: false, schedule: false });
    boss.on("error", (error) => console.error("boss error", error));
    await boss.start();
    await ensureQueues(boss);
    jobQueue = createJobQueue(boss);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  async function player() {
    const { user, token } = await createTestUser(t.db);
    const di = await seedFile(t.db, user.id, "di");
    const caller = createTestCaller(t.db, token, { jobQueue });
    const shootout = await caller.shootouts.create(shootoutInput(di.id));
    return { user, caller, shootout };
  }

  it("create queues a render (row + pg-boss job) and is idempotent while the job is unfinished", async () => {
    const p = await player();
    const job = await p.caller.jobs.create({ shootoutId: p.shootout.id });
    expect(job).toMatchObject({
      shootoutId: p.shootout.id,
      status: "queued",
      progress: 0,
      error: null,
      result: null,
    });
    expect(job.queuedAt).not.toBeNull();
    expect(job).not.toHaveProperty("queueJobId");

    const row = await t.db.selectFrom("jobs").selectAll().where("id", "=", job.id).executeTakeFirstOrThrow();
    const queued = await boss.getJobById(RENDER_QUEUE, row.queueJobId!);
    expect(queued?.data).toEqual({ jobId: job.id });

    const again = await p.caller.jobs.create({ shootoutId: p.shootout.id });
    expect(again.id).toBe(job.id);
    expect(await p.caller.jobs.get({ jobId: job.id })).toEqual(job);
  });

  it("ownership: another user's shootout and jobs are NOT_FOUND and never listed", async () => {
    const owner = await player();
    const stranger = await player();
    const job = await owner.caller.jobs.create({ shootoutId: owner.shootout.id });
    const c = stranger.caller;
    await expectTRPCError(c.jobs.create({ shootoutId: owner.shootout.id }), "NOT_FOUND");
    await expectTRPCError(c.jobs.create({ shootoutId: crypto.randomUUID() }), "NOT_FOUND");
    await expectTRPCError(c.jobs.get({ jobId: job.id }), "NOT_FOUND");
    await expectTRPCError(c.jobs.cancel({ jobId: job.id }), "NOT_FOUND");
    await expectTRPCError(c.jobs.retry({ jobId: job.id }), "NOT_FOUND");
    await expectTRPCError(c.jobs.delete({ jobId: job.id }), "NOT_FOUND");
    expect((await c.jobs.list({})).items).toEqual([]);
    expect((await c.jobs.list({ shootoutId: owner.shootout.id })).items).toEqual([]);
    expect((await owner.caller.jobs.get({ jobId: job.id })).status).toBe("queued");
  });

  it("cancel, retry and delete follow the lifecycle", async () => {
    const p = await player();
    const job = await p.caller.jobs.create({ shootoutId: p.shootout.id });

    // Unfinished: cannot delete, nor retry.
    await expectTRPCError(p.caller.jobs.delete({ jobId: job.id }), "CONFLICT");
    await expectTRPCError(p.caller.jobs.retry({ jobId: job.id }), "CONFLICT");

    const cancelled = await p.caller.jobs.cancel({ jobId: job.id });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelRequestedAt).not.toBeNull();
    await expectTRPCError(p.caller.jobs.cancel({ jobId: job.id }), "CONFLICT");

    const retried = await p.caller.jobs.retry({ jobId: job.id });
    expect(retried).toMatchObject({
      id: job.id,
      status: "queued",
      cancelRequestedAt: null,
      finishedAt: null,
    });

    await p.caller.jobs.cancel({ jobId: job.id });
    expect(await p.caller.jobs.delete({ jobId: job.id })).toEqual({ ok: true });
    await expectTRPCError(p.caller.jobs.get({ jobId: job.id }), "NOT_FOUND");
  });

  it("an owner without Tone 3000 access is told to sign in again before a job needs models they cannot fetch", async () => {
    const { user, token } = await createTestUser(t.db, { tone3000Access: false });
    const di = await seedFile(t.db, user.id, "di");
    const caller = createTestCaller(t.db, token, { jobQueue });
    const shootout = await caller.shootouts.create(shootoutInput(di.id));
    const refused = await expectTRPCError(
      caller.jobs.create({ shootoutId: shootout.id }),
      "PRECONDITION_FAILED",
    );
    expect(refused.message).toBe(
      "this account has no Tone 3000 access (sign in with Tone 3000 again): the models and IRs of 'Tone 1', 'Tone 2' must be downloaded with it",
    );
    expect(
      await t.db.selectFrom("jobs").select("id").where("shootoutId", "=", shootout.id).execute(),
    ).toEqual([]);

    // Once both models are cached (someone else rendered them), no access is needed.
    await t.db
      .insertInto("modelCache")
      .values(
        ["model-1", "model-2"].map((id) => ({
          tone3000ModelId: id,
          sha256: "0".repeat(64),
          storageKey: `models/${id}`,
          sizeBytes: 1,
          architecture: "WaveNet",
        })),
      )
      .onConflict((oc) => oc.column("tone3000ModelId").doNothing())
      .execute();
    // A Tone 3000 cabinet needs the access too, until its IR is cached; an uploaded one does not.
    const cabOnly = await caller.shootouts.update({
      shootoutId: shootout.id,
      tones: [
        tone(1),
        {
          displayName: "Cab only",
          cabinet: { source: "tone3000", tone3000ToneId: "tone-9", tone3000ModelId: "ir-9" },
        },
      ],
    });
    const cabRefused = await expectTRPCError(
      caller.jobs.create({ shootoutId: cabOnly.id }),
      "PRECONDITION_FAILED",
    );
    expect(cabRefused.message).toMatch(/the models and IRs of 'Cab only' must be downloaded/);
    await t.db
      .insertInto("modelCache")
      .values({
        tone3000ModelId: "ir-9",
        sha256: "0".repeat(64),
        storageKey: "models/ir-9",
        sizeBytes: 1,
        architecture: "IR",
      })
      .execute();
    const job = await caller.jobs.create({ shootoutId: shootout.id });
    expect(job.status).toBe("queued");

    // Retry checks again: a tone with an uncached model was added since.
    await caller.jobs.cancel({ jobId: job.id });
    await caller.shootouts.update({ shootoutId: shootout.id, tones: [tone(1), tone(3)] });
    const again = await expectTRPCError(caller.jobs.retry({ jobId: job.id }), "PRECONDITION_FAILED");
    expect(again.message).toMatch(/the models and IRs of 'Tone 3' must be downloaded/);
    expect((await caller.jobs.get({ jobId: job.id })).status).toBe("cancelled");
  });

  it("cancelling a running job flags it for its worker", async () => {
    const p = await player();
    const job = await p.caller.jobs.create({ shootoutId: p.shootout.id });
    await t.db
      .updateTable("jobs")
      .set({ status: "running", startedAt: sql`now()` })
      .where("id", "=", job.id)
      .execute();
    const flagged = await p.caller.jobs.cancel({ jobId: job.id });
    expect(flagged.status).toBe("running");
    expect(flagged.cancelRequestedAt).not.toBeNull();
  });

  it("an unfinished job freezes what the renderer reads, and the shootout itself", async () => {
    const p = await player();
    const job = await p.caller.jobs.create({ shootoutId: p.shootout.id });
    await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: p.shootout.id, sampleRate: 96000 }),
      "CONFLICT",
    );
    await expectTRPCError(p.caller.shootouts.delete({ shootoutId: p.shootout.id }), "CONFLICT");
    // Cosmetic fields may still change.
    expect((await p.caller.shootouts.update({ shootoutId: p.shootout.id, name: "Live" })).name).toBe("Live");
    await p.caller.jobs.cancel({ jobId: job.id });
    expect(
      (await p.caller.shootouts.update({ shootoutId: p.shootout.id, sampleRate: 96000 })).sampleRate,
    ).toBe(96000);
    expect(await p.caller.shootouts.delete({ shootoutId: p.shootout.id })).toEqual({ ok: true });
    // The job went with its shootout.
    await expectTRPCError(p.caller.jobs.get({ jobId: job.id }), "NOT_FOUND");
  });

  it("lists newest first with shootout/status filters; pages 25 by 10", async () => {
    const p = await player();
    const other = await p.caller.shootouts.create(shootoutInput(p.shootout.diFileId!));
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const row = await t.db
        .insertInto("jobs")
        .values({
          shootoutId: i % 5 === 0 ? other.id : p.shootout.id,
          ownerId: p.user.id,
          status: i % 2 === 0 ? "completed" : "failed",
          finishedAt: sql`now()`,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof p.caller.jobs.list>> = await p.caller.jobs.list({
        limit: 10,
        cursor,
      });
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(await newestFirst(t.db, "jobs", ids));
    expect(new Set(seen).size).toBe(25);

    const ofOther = await p.caller.jobs.list({ shootoutId: other.id, limit: 100 });
    expect(ofOther.items.map((j) => j.id)).toEqual(
      await newestFirst(
        t.db,
        "jobs",
        ids.filter((_, i) => i % 5 === 0),
      ),
    );
    const failed = await p.caller.jobs.list({ status: "failed", limit: 100 });
    expect(failed.items.map((j) => j.id)).toEqual(
      await newestFirst(
        t.db,
        "jobs",
        ids.filter((_, i) => i % 2 === 1),
      ),
    );
    const both = await p.caller.jobs.list({ shootoutId: other.id, status: "completed", limit: 100 });
    expect(both.items.map((j) => j.id)).toEqual(
      await newestFirst(
        t.db,
        "jobs",
        ids.filter((_, i) => i % 5 === 0 && i % 2 === 0),
      ),
    );
    await expectTRPCError(p.caller.jobs.list({ status: "exploded" as "failed" }), "BAD_REQUEST");
    await expectTRPCError(p.caller.jobs.get({ jobId: "123" }), "BAD_REQUEST");
  });
});
