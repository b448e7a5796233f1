import type { DB } from "@shootout/db";
import { type Kysely, sql, type Transaction } from "kysely";
import { JOB_EVENTS_CHANNEL, type JobEventNotice, type JobStatus } from "./definitions.ts";

export interface JobEventInput {
  jobId: string;
  status: JobStatus;
  progress: number;
  message: string;
}

/**
 * Writes the next event of a job (seq = last + 1), mirrors it onto the jobs row, and notifies
 * listeners, all inside `trx`: the notification is delivered only if the event commits.
 * The jobs row is locked first so concurrent writers of one job take seq numbers in turn.
 */
export async function appendJobEvent(trx: Transaction<DB>, input: JobEventInput): Promise<JobEventNotice> {
  const progress = Math.max(0, Math.min(100, Math.round(input.progress)));
  const job = await trx
    .selectFrom("jobs")
    .select(["ownerId"])
    .where("id", "=", input.jobId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const last = await trx
    .selectFrom("jobEvents")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("jobId", "=", input.jobId)
    .executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  const event = await trx
    .insertInto("jobEvents")
    .values({ jobId: input.jobId, seq, status: input.status, progress, message: input.message })
    .returning(["createdAt"])
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("jobs")
    .set({ status: input.status, progress, message: input.message, updatedAt: sql`now()` })
    .where("id", "=", input.jobId)
    .execute();
  const notice: JobEventNotice = {
    jobId: input.jobId,
    ownerId: job.ownerId,
    seq,
    status: input.status,
    progress,
    message: input.message,
    at: new Date(event.createdAt).toISOString(),
  };
  await sql`select pg_notify(${JOB_EVENTS_CHANNEL}, ${JSON.stringify(notice)})`.execute(trx);
  return notice;
}

/** Events of a job after `afterSeq`, in order: what a (re)connecting subscriber missed. */
export async function listJobEvents(
  db: Kysely<DB> | Transaction<DB>,
  jobId: string,
  afterSeq = 0,
  limit = 1000,
): Promise<JobEventNotice[]> {
  const rows = await db
    .selectFrom("jobEvents")
    .innerJoin("jobs", "jobs.id", "jobEvents.jobId")
    .select([
      "jobEvents.jobId",
      "jobs.ownerId",
      "jobEvents.seq",
      "jobEvents.status",
      "jobEvents.progress",
      "jobEvents.message",
      "jobEvents.createdAt",
    ])
    .where("jobEvents.jobId", "=", jobId)
    .where("jobEvents.seq", ">", afterSeq)
    .orderBy("jobEvents.seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    jobId: r.jobId,
    ownerId: r.ownerId,
    seq: r.seq,
    status: r.status,
    progress: r.progress,
    message: r.message,
    at: new Date(r.createdAt).toISOString(),
  }));
}
