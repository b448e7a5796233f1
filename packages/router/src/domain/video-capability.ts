import type { DB } from "@shootout/db";
import type { Kysely } from "kysely";
import { DomainError } from "./errors.ts";

/**
 * Called by jobs.create and jobs.retry where ffmpeg is missing: a shootout asking for an MP4 is refused now,
 * with a message saying why, rather than failing deep in the worker. Someone else's or a missing
 * shootout passes through (createJob answers NOT_FOUND for it).
 */
export async function assertNoVideoWanted(
  db: Kysely<DB>,
  ownerId: string,
  shootoutId: string,
): Promise<void> {
  const row = await db
    .selectFrom("shootouts")
    .select("outputFormats")
    .where("id", "=", shootoutId)
    .where("ownerId", "=", ownerId)
    .executeTakeFirst();
  if (row?.outputFormats.includes("mp4")) {
    throw new DomainError(
      "BAD_REQUEST",
      "MP4 video output needs ffmpeg, which is not installed on this server: remove mp4 from the shootout's output formats, or install ffmpeg",
    );
  }
}
