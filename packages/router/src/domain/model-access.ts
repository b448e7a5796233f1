import type { DB } from "@shootout/db";
import type { Kysely } from "kysely";
import { DomainError } from "./errors.ts";

/** Whether Tone 3000 tokens are stored for the user (a missing user has none). */
export async function hasTone3000Access(db: Kysely<DB>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select(["t3kAccessToken", "t3kRefreshToken"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return row !== undefined && (row.t3kAccessToken !== null || row.t3kRefreshToken !== null);
}

/**
 * Called by jobs.create and jobs.retry: the worker downloads a shootout's models with its owner's
 * Tone 3000 access, unless they are cached already. An owner whose access is gone (never granted,
 * or revoked and cleared) is told now to sign in again, instead of the job failing in the worker.
 * Someone else's or a missing shootout passes through (the job functions answer NOT_FOUND).
 */
export async function assertModelsReachable(
  db: Kysely<DB>,
  ownerId: string,
  shootoutId: string,
): Promise<void> {
  if (await hasTone3000Access(db, ownerId)) return;
  // A tone's amp model and its Tone 3000 cabinet IR both download with the owner's access.
  const uncached = await db
    .selectFrom("toneSelections as t")
    .innerJoin("shootouts as s", "s.id", "t.shootoutId")
    .leftJoin("modelCache as m", "m.tone3000ModelId", "t.tone3000ModelId")
    .leftJoin("modelCache as c", "c.tone3000ModelId", "t.cabTone3000ModelId")
    .select(["t.displayName"])
    .where("s.id", "=", shootoutId)
    .where("s.ownerId", "=", ownerId)
    .where((eb) =>
      eb.or([
        eb.and([eb("t.tone3000ModelId", "is not", null), eb("m.tone3000ModelId", "is", null)]),
        eb.and([eb("t.cabTone3000ModelId", "is not", null), eb("c.tone3000ModelId", "is", null)]),
      ]),
    )
    .orderBy("t.position")
    .execute();
  if (uncached.length === 0) return;
  const names = uncached.map((t) => `'${t.displayName}'`).join(", ");
  throw new DomainError(
    "PRECONDITION_FAILED",
    `this account has no Tone 3000 access (sign in with Tone 3000 again): the models and IRs of ${names} must be downloaded with it`,
  );
}
