import type { DB } from "@shootout/db";
import type { JobRow, JobStatus } from "@shootout/jobs";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { toIso } from "../schemas/common.ts";
import type { JobOutput } from "../schemas/jobs.ts";
import { NotFoundError } from "./errors.ts";
import { afterCursor, cursorCreatedAt, decodeCursor, toPage } from "./pagination.ts";

type Db = Kysely<DB> | Transaction<DB>;

const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : toIso(d));

export function toJobOutput(row: JobRow): JobOutput {
  return {
    id: row.id,
    shootoutId: row.shootoutId,
    status: row.status,
    progress: row.progress,
    message: row.message,
    error: row.error,
    // jsonb as written by the worker; checked to be plain JSON before it leaves.
    result: row.result === null ? null : z.json().parse(row.result),
    attempts: row.attempts,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    queuedAt: isoOrNull(row.queuedAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
    cancelRequestedAt: isoOrNull(row.cancelRequestedAt),
  };
}

export async function getOwnedJob(db: Db, ownerId: string, jobId: string): Promise<JobRow> {
  const row = await db
    .selectFrom("jobs")
    .selectAll()
    .where("id", "=", jobId)
    .where("ownerId", "=", ownerId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("job");
  return row;
}

/** The caller's jobs, newest first; someone else's shootout id simply matches nothing. */
export async function listOwnedJobs(
  db: Db,
  ownerId: string,
  opts: {
    shootoutId?: string | undefined;
    status?: JobStatus | undefined;
    cursor?: string | null | undefined;
    limit: number;
  },
): Promise<{ items: JobRow[]; nextCursor: string | null }> {
  let q = db
    .selectFrom("jobs")
    .selectAll()
    .select(cursorCreatedAt("jobs").as("cursorCreatedAt"))
    .where("ownerId", "=", ownerId);
  if (opts.shootoutId) q = q.where("shootoutId", "=", opts.shootoutId);
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.cursor) q = q.where(afterCursor("jobs", decodeCursor(opts.cursor)));
  const rows = await q
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .limit(opts.limit + 1)
    .execute();
  return toPage(rows, opts.limit, ({ cursorCreatedAt: _, ...row }) => row);
}
