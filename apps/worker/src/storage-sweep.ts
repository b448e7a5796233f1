import type { DB } from "@shootout/db";
import type { ListedObject, Storage } from "@shootout/storage";
import type { Kysely } from "kysely";
import type { Logger } from "pino";

/** Young objects are left alone: an upload may have stored its bytes and not yet its row. */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;

const BATCH = 500;

export interface SweepResult {
  /** Objects removed because no file or cached model refers to them. */
  removed: number;
  removedBytes: number;
  /** Objects some row refers to, or too young to judge. */
  kept: number;
  /** Temporaries of puts that never finished. */
  abandoned: number;
}

/**
 * Removes stored bytes nothing refers to: files.storage_key and model_cache.storage_key are the
 * only references (keys are content-addressed, so one object may serve several rows, and deleting
 * a row never deletes bytes itself). Only objects last written before `now - graceMs` go; one is
 * looked at again just before it is removed, so a put of the same bytes that landed meanwhile
 * (which renews the object) keeps it.
 */
export async function sweepStorage(options: {
  db: Kysely<DB>;
  storage: Storage;
  log: Logger;
  graceMs?: number;
  now?: Date;
}): Promise<SweepResult> {
  const { db, storage, log } = options;
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceMs ?? SWEEP_GRACE_MS));
  const result: SweepResult = { removed: 0, removedBytes: 0, kept: 0, abandoned: 0 };

  async function judge(batch: ListedObject[]): Promise<void> {
    const keys = batch.map((o) => o.key);
    const referenced = new Set(
      (
        await db
          .selectFrom("files")
          .select("storageKey")
          .where("storageKey", "in", keys)
          .union(db.selectFrom("modelCache").select("storageKey").where("storageKey", "in", keys))
          .execute()
      ).map((r) => r.storageKey),
    );
    for (const object of batch) {
      const modified = referenced.has(object.key) ? null : await storage.modifiedAt(object.key);
      if (modified === null || modified >= cutoff) {
        result.kept++;
        continue;
      }
      await storage.delete(object.key);
      result.removed++;
      result.removedBytes += object.size;
    }
  }

  let batch: ListedObject[] = [];
  for await (const object of storage.list()) {
    if (object.modifiedAt >= cutoff) {
      result.kept++;
      continue;
    }
    batch.push(object);
    if (batch.length === BATCH) {
      await judge(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await judge(batch);
  result.abandoned = await storage.removeAbandoned(cutoff);
  log.info(result, "storage sweep: removed what nothing refers to");
  return result;
}
