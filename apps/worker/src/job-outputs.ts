import type { DB } from "@shootout/db";
import type { Storage } from "@shootout/storage";
import type { Kysely } from "kysely";
import type { Logger } from "pino";

/**
 * Removes the output files a job wrote (a cancelled or failed run, or an earlier attempt before a
 * rerun), so outputs are never half there and a rerun never leaves duplicates. Storage is
 * content-addressed: an object is deleted only when no other file row or cached model still points
 * at the same bytes.
 */
export async function removeJobOutputs(
  db: Kysely<DB>,
  storage: Storage,
  jobId: string,
  log: Logger,
): Promise<number> {
  const removed = await db
    .deleteFrom("files")
    .where("jobId", "=", jobId)
    .where("kind", "=", "output")
    .returning(["storageKey"])
    .execute();
  for (const key of new Set(removed.map((r) => r.storageKey))) {
    const stillUsed =
      (await db.selectFrom("files").select("id").where("storageKey", "=", key).executeTakeFirst()) ??
      (await db
        .selectFrom("modelCache")
        .select("tone3000ModelId")
        .where("storageKey", "=", key)
        .executeTakeFirst());
    if (stillUsed) continue;
    try {
      await storage.delete(key);
    } catch (error) {
      // A leftover object is only wasted space; the rows are what users see.
      log.warn({ err: error, key }, "could not delete an output object");
    }
  }
  return removed.length;
}
