import type { DB, JsonValue } from "@shootout/db";
import { appendJobEvent, type JobQueue, type JobRow } from "@shootout/jobs";
import { type Kysely, sql, type Transaction } from "kysely";

/**
 * Every change a worker makes to a jobs row, each in one transaction with its job_events row.
 * A running render holds a fence, the `attempts` value its claim wrote: a write whose fence no
 * longer matches (another worker took the job over after this one was presumed dead) is refused,
 * so two workers can never both report on, or settle, one job.
 */
export interface Fence {
  readonly jobId: string;
  readonly attempt: number;
}

export type Claim =
  | { kind: "claimed"; job: JobRow; fence: Fence; resumed: boolean }
  | { kind: "skipped"; reason: string };

/** Refused because the job is no longer this worker's to write. */
export class ClaimLostError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} is no longer held by this worker`);
    this.name = "ClaimLostError";
  }
}

/**
 * Takes the job for a queue message. Skips messages that no longer stand for the job's current
 * run (the job was deleted, cancelled, finished, or retried under a new queue message); a job
 * already `running` is one whose previous worker died, and is taken over.
 */
export async function claimJob(db: Kysely<DB>, input: { jobId: string; queueJobId: string }): Promise<Claim> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", input.jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { kind: "skipped", reason: "job was deleted" };
    if (row.queueJobId !== input.queueJobId)
      return { kind: "skipped", reason: "superseded by a newer queue message" };
    if (row.status !== "queued" && row.status !== "running") {
      return { kind: "skipped", reason: `job is already ${row.status}` };
    }
    if (row.cancelRequestedAt) {
      await settle(trx, row.id, { status: "cancelled", progress: row.progress, message: "Cancelled" });
      return { kind: "skipped", reason: "cancel requested before the render started" };
    }
    const resumed = row.status === "running";
    const message = resumed ? "Started again (the previous worker stopped responding)" : "Started";
    const updated = await trx
      .updateTable("jobs")
      .set({ attempts: sql`attempts + 1`, startedAt: sql`now()`, finishedAt: null, error: null })
      .where("id", "=", row.id)
      .returning(["attempts"])
      .executeTakeFirstOrThrow();
    await appendJobEvent(trx, { jobId: row.id, status: "running", progress: 0, message });
    return {
      kind: "claimed",
      job: { ...row, attempts: updated.attempts, status: "running", progress: 0, message, error: null },
      fence: { jobId: row.id, attempt: updated.attempts },
      resumed,
    };
  });
}

type FencedState = "held" | "cancel-requested";

/** Locks the job row and checks the fence; throws ClaimLostError when the job is not ours. */
async function lockFenced(trx: Transaction<DB>, fence: Fence): Promise<FencedState> {
  const row = await trx
    .selectFrom("jobs")
    .select(["status", "attempts", "cancelRequestedAt"])
    .where("id", "=", fence.jobId)
    .forUpdate()
    .executeTakeFirst();
  if (row?.status !== "running" || row.attempts !== fence.attempt) throw new ClaimLostError(fence.jobId);
  return row.cancelRequestedAt ? "cancel-requested" : "held";
}

async function settle(
  trx: Transaction<DB>,
  jobId: string,
  event: { status: "completed" | "failed" | "cancelled"; progress: number; message: string },
): Promise<void> {
  await trx.updateTable("jobs").set({ finishedAt: sql`now()` }).where("id", "=", jobId).execute();
  await appendJobEvent(trx, { jobId, ...event });
}

/** A progress event; tells the caller when the user has asked to cancel (it then writes nothing). */
export async function writeProgress(
  db: Kysely<DB>,
  fence: Fence,
  progress: number,
  message: string,
): Promise<FencedState> {
  return db.transaction().execute(async (trx) => {
    const state = await lockFenced(trx, fence);
    if (state === "held")
      await appendJobEvent(trx, { jobId: fence.jobId, status: "running", progress, message });
    return state;
  });
}

/** Stores the result and completes the job, unless a cancel got in first (then: "cancel-requested"). */
export async function completeJob(db: Kysely<DB>, fence: Fence, result: JsonValue): Promise<FencedState> {
  return db.transaction().execute(async (trx) => {
    const state = await lockFenced(trx, fence);
    if (state === "cancel-requested") return state;
    await trx
      .updateTable("jobs")
      .set({ result: JSON.stringify(result) })
      .where("id", "=", fence.jobId)
      .execute();
    await settle(trx, fence.jobId, { status: "completed", progress: 100, message: "Completed" });
    return state;
  });
}

export async function markCancelled(db: Kysely<DB>, fence: Fence, progress: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockFenced(trx, fence);
    await settle(trx, fence.jobId, { status: "cancelled", progress, message: "Cancelled" });
  });
}

/**
 * Records a failed attempt. `final`: the job is failed for good with `userMessage` as its error;
 * otherwise it goes back to `queued` while the queue waits to try again.
 */
export async function markFailed(
  db: Kysely<DB>,
  fence: Fence,
  input: { userMessage: string; progress: number; final: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockFenced(trx, fence);
    await trx.updateTable("jobs").set({ error: input.userMessage }).where("id", "=", fence.jobId).execute();
    if (input.final) {
      await settle(trx, fence.jobId, {
        status: "failed",
        progress: input.progress,
        message: input.userMessage,
      });
    } else {
      await appendJobEvent(trx, {
        jobId: fence.jobId,
        status: "queued",
        progress: 0,
        message: `${input.userMessage} Trying again shortly.`,
      });
    }
  });
}

/**
 * Gives a render back because this worker is stopping: the job is `queued` again under a new queue
 * message, in the same transaction, so another worker picks it up at once (without waiting out a
 * retry delay or using up one of the job's retries).
 */
export async function handBack(db: Kysely<DB>, fence: Fence, queue: JobQueue): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockFenced(trx, fence);
    const queueJobId = await queue.enqueueRender(trx, { jobId: fence.jobId });
    await trx
      .updateTable("jobs")
      .set({ queueJobId, queuedAt: sql`now()`, startedAt: null })
      .where("id", "=", fence.jobId)
      .execute();
    await appendJobEvent(trx, {
      jobId: fence.jobId,
      status: "queued",
      progress: 0,
      message: "A worker stopped; waiting for another one",
    });
  });
}

/**
 * A queue message that used up its retries without a worker settling the job (workers kept dying
 * or timing out): fail the job with a message that says so, or honour a pending cancel.
 */
export async function markDeadLettered(db: Kysely<DB>, jobId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("jobs")
      .select(["status", "progress", "cancelRequestedAt"])
      .where("id", "=", jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || (row.status !== "queued" && row.status !== "running")) return false;
    if (row.cancelRequestedAt) {
      await settle(trx, jobId, { status: "cancelled", progress: row.progress, message: "Cancelled" });
      return true;
    }
    const message =
      "The render stopped unexpectedly too many times (its worker crashed or timed out). Retry it.";
    await trx.updateTable("jobs").set({ error: message }).where("id", "=", jobId).execute();
    await settle(trx, jobId, { status: "failed", progress: row.progress, message });
    return true;
  });
}
