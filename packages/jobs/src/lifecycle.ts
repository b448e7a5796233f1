import type { DB, Jobs } from "@shootout/db";
import { type Kysely, type Selectable, sql } from "kysely";
import { ACTIVE_STATUSES, JOB_CANCEL_CHANNEL, type JobStatus } from "./definitions.ts";
import { JobError } from "./errors.ts";
import { appendJobEvent } from "./events.ts";
import type { JobQueue } from "./queue.ts";

export type JobRow = Selectable<Jobs>;

const UNIQUE_VIOLATION = "23505";

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return (
    e?.code === UNIQUE_VIOLATION &&
    (e.constraint === constraint || (typeof e.message === "string" && e.message.includes(constraint)))
  );
}

async function activeJobOf(db: Kysely<DB>, shootoutId: string): Promise<JobRow | undefined> {
  return db
    .selectFrom("jobs")
    .selectAll()
    .where("shootoutId", "=", shootoutId)
    .where("status", "in", ACTIVE_STATUSES)
    .executeTakeFirst();
}

/**
 * Starts a render of the caller's shootout: the job row, its first event and the queued pg-boss
 * job commit together. One unfinished job per shootout: while one is pending/queued/running,
 * this returns that job (`created: false`) instead of starting a second — "start" is idempotent,
 * so a double-click or a retrying client never renders twice.
 */
export async function createJob(
  db: Kysely<DB>,
  queue: JobQueue,
  input: { shootoutId: string; ownerId: string },
): Promise<{ job: JobRow; created: boolean }> {
  const shootout = await db
    .selectFrom("shootouts")
    .select(["id"])
    .where("id", "=", input.shootoutId)
    .where("ownerId", "=", input.ownerId)
    .executeTakeFirst();
  if (!shootout) throw new JobError("NOT_FOUND", "shootout not found");

  const existing = await activeJobOf(db, input.shootoutId);
  if (existing) return { job: existing, created: false };

  try {
    const job = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("jobs")
        .values({
          shootoutId: input.shootoutId,
          ownerId: input.ownerId,
          status: "queued",
          queuedAt: sql`now()`,
          message: "Waiting for a worker",
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const queueJobId = await queue.enqueueRender(trx, { jobId: row.id });
      await trx.updateTable("jobs").set({ queueJobId }).where("id", "=", row.id).execute();
      await appendJobEvent(trx, { jobId: row.id, status: "queued", progress: 0, message: row.message });
      return { ...row, queueJobId };
    });
    return { job, created: true };
  } catch (error) {
    // Lost a race with a concurrent create: the database kept exactly one; hand back that one.
    if (isUniqueViolation(error, "jobs_one_active_per_shootout")) {
      const winner = await activeJobOf(db, input.shootoutId);
      if (winner) return { job: winner, created: false };
    }
    throw error;
  }
}

async function ownedJob(db: Kysely<DB>, jobId: string, ownerId: string): Promise<JobRow> {
  const job = await db
    .selectFrom("jobs")
    .selectAll()
    .where("id", "=", jobId)
    .where("ownerId", "=", ownerId)
    .executeTakeFirst();
  if (!job) throw new JobError("NOT_FOUND", "job not found");
  return job;
}

/**
 * Cancels a job. A job no worker has started is cancelled at once (and removed from the queue);
 * a running one is flagged, and its worker, told through the event channel, aborts the render
 * between chunks and records the cancellation itself.
 */
export async function cancelJob(
  db: Kysely<DB>,
  queue: JobQueue,
  input: { jobId: string; ownerId: string },
): Promise<JobRow> {
  const job = await ownedJob(db, input.jobId, input.ownerId);
  if (!ACTIVE_STATUSES.includes(job.status)) {
    throw new JobError("CONFLICT", `job is already ${job.status}`);
  }
  await db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom("jobs")
      .select(["status", "queueJobId"])
      .where("id", "=", job.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status === "running") {
      await trx.updateTable("jobs").set({ cancelRequestedAt: sql`now()` }).where("id", "=", job.id).execute();
      await appendJobEvent(trx, {
        jobId: job.id,
        status: "running",
        progress: job.progress,
        message: "Cancelling…",
      });
      // Delivered on commit; the worker running it aborts the render.
      await sql`select pg_notify(${JOB_CANCEL_CHANNEL}, ${job.id})`.execute(trx);
      return;
    }
    if (!ACTIVE_STATUSES.includes(locked.status)) return;
    if (locked.queueJobId) await queue.cancelRender(trx, locked.queueJobId);
    await trx
      .updateTable("jobs")
      .set({ cancelRequestedAt: sql`now()`, finishedAt: sql`now()` })
      .where("id", "=", job.id)
      .execute();
    await appendJobEvent(trx, {
      jobId: job.id,
      status: "cancelled",
      progress: job.progress,
      message: "Cancelled before it started",
    });
  });
  return ownedJob(db, input.jobId, input.ownerId);
}

/** Queues a failed or cancelled job again; its events continue from the last seq. */
export async function retryJob(
  db: Kysely<DB>,
  queue: JobQueue,
  input: { jobId: string; ownerId: string },
): Promise<JobRow> {
  const job = await ownedJob(db, input.jobId, input.ownerId);
  const retryable: JobStatus[] = ["failed", "cancelled"];
  if (!retryable.includes(job.status)) {
    throw new JobError(
      "CONFLICT",
      `only a failed or cancelled job can be retried (this one is ${job.status})`,
    );
  }
  try {
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("jobs")
        .set({
          status: "queued",
          progress: 0,
          error: null,
          result: null,
          queuedAt: sql`now()`,
          startedAt: null,
          finishedAt: null,
          cancelRequestedAt: null,
        })
        .where("id", "=", job.id)
        .where("status", "in", retryable)
        .returning(["id"])
        .executeTakeFirst();
      if (!updated) throw new JobError("CONFLICT", "job changed while retrying; try again");
      const queueJobId = await queue.enqueueRender(trx, { jobId: job.id });
      await trx.updateTable("jobs").set({ queueJobId }).where("id", "=", job.id).execute();
      await appendJobEvent(trx, { jobId: job.id, status: "queued", progress: 0, message: "Queued again" });
    });
  } catch (error) {
    if (isUniqueViolation(error, "jobs_one_active_per_shootout")) {
      throw new JobError("CONFLICT", "another job of this shootout is already active");
    }
    throw error;
  }
  return ownedJob(db, input.jobId, input.ownerId);
}

/** Deletes a finished job with its events (its output files go with it, by cascade). */
export async function deleteJob(db: Kysely<DB>, input: { jobId: string; ownerId: string }): Promise<void> {
  const job = await ownedJob(db, input.jobId, input.ownerId);
  if (ACTIVE_STATUSES.includes(job.status)) {
    throw new JobError("CONFLICT", `job is ${job.status}; cancel it first`);
  }
  await db.deleteFrom("jobs").where("id", "=", job.id).where("ownerId", "=", input.ownerId).execute();
}
