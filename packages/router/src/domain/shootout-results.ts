import type { DB } from "@shootout/db";
import type { Kysely } from "kysely";
import { z } from "zod";
import { toIso } from "../schemas/common.ts";
import type { ShootoutResultOutput } from "../schemas/shootouts.ts";
import { assertVisibleShootout } from "./shootouts.ts";

/**
 * The latest completed render of a shootout, for whoever may read the shootout: its owner, and
 * anyone when it is public (its outputs are downloadable by them too, see getReadableFile). The
 * result is shared as the pipeline wrote it: a blind shootout's result names segments and files
 * by letter only, the mapping stays in shootouts.blind_key. Null when nothing has rendered yet.
 */
export async function latestShootoutResult(
  db: Kysely<DB>,
  viewerId: string | null,
  shootoutId: string,
): Promise<ShootoutResultOutput | null> {
  await assertVisibleShootout(db, viewerId, shootoutId);
  const job = await db
    .selectFrom("jobs")
    .select(["id", "finishedAt", "result"])
    .where("shootoutId", "=", shootoutId)
    .where("status", "=", "completed")
    .orderBy("finishedAt", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!job?.finishedAt) return null;
  return {
    jobId: job.id,
    finishedAt: toIso(job.finishedAt),
    result: job.result === null ? null : z.json().parse(job.result),
  };
}
