import type { DB } from "@shootout/db";
import { RenderError, type ShootoutForRender } from "@shootout/jobs";
import type { Kysely } from "kysely";

/** The job's shootout with its tones in their chosen order. */
export async function loadShootoutForRender(db: Kysely<DB>, shootoutId: string): Promise<ShootoutForRender> {
  const shootout = await db
    .selectFrom("shootouts")
    .selectAll()
    .where("id", "=", shootoutId)
    .executeTakeFirst();
  if (!shootout) throw new RenderError("The shootout of this job no longer exists.");
  const tones = await db
    .selectFrom("toneSelections")
    .selectAll()
    .where("shootoutId", "=", shootoutId)
    .orderBy("position")
    .execute();
  return { ...shootout, tones };
}
