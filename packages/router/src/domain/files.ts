import type { DB, Files } from "@shootout/db";
import type { Kysely, Selectable, Transaction } from "kysely";
import { toIso } from "../schemas/common.ts";
import { type FileOutput, type RecordUploadedFileInput, recordUploadedFileInput } from "../schemas/files.ts";
import { FOREIGN_KEY_VIOLATION, hasSqlState } from "./db-errors.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import { afterCursor, cursorCreatedAt, decodeCursor, toPage } from "./pagination.ts";

type Db = Kysely<DB> | Transaction<DB>;
export type FileRow = Selectable<Files>;

export function toFileOutput(row: FileRow): FileOutput {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    mime: row.mime,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    durationMs: row.durationMs,
    sampleRate: row.sampleRate,
    channels: row.channels,
    jobId: row.jobId,
    createdAt: toIso(row.createdAt),
  };
}

/**
 * Records an upload whose bytes apps/api has already put in storage. Called by the upload route,
 * not over RPC: uploads are plain HTTP (streamed, size-limited).
 */
export async function recordUploadedFile(db: Db, input: RecordUploadedFileInput): Promise<FileRow> {
  const f = recordUploadedFileInput.parse(input);
  return db
    .insertInto("files")
    .values({
      ownerId: f.ownerId,
      kind: f.kind,
      name: f.name,
      mime: f.mime,
      sizeBytes: f.sizeBytes,
      sha256: f.sha256,
      storageKey: f.storageKey,
      durationMs: f.durationMs ?? null,
      sampleRate: f.sampleRate ?? null,
      channels: f.channels ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The caller's file (with its storage key, for the download route); NotFound for anyone else's. */
export async function getOwnedFile(db: Db, ownerId: string, fileId: string): Promise<FileRow> {
  const row = await db
    .selectFrom("files")
    .selectAll()
    .where("id", "=", fileId)
    .where("ownerId", "=", ownerId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("file");
  return row;
}

/**
 * A file the caller may download: their own, or an output of a completed render of a public
 * shootout (anyone, signed in or not: "anyone with the link can listen"). Uploads (DIs, IRs) stay
 * their owner's alone. NotFound otherwise.
 */
export async function getReadableFile(db: Db, viewerId: string | null, fileId: string): Promise<FileRow> {
  const row = await db
    .selectFrom("files")
    .leftJoin("jobs", "jobs.id", "files.jobId")
    .leftJoin("shootouts", "shootouts.id", "jobs.shootoutId")
    .selectAll("files")
    .where("files.id", "=", fileId)
    .where((eb) => {
      const shared = eb.and([
        eb("files.kind", "=", "output"),
        eb("jobs.status", "=", "completed"),
        eb("shootouts.isPublic", "=", true),
      ]);
      return viewerId ? eb.or([eb("files.ownerId", "=", viewerId), shared]) : shared;
    })
    .executeTakeFirst();
  if (!row) throw new NotFoundError("file");
  return row;
}

export async function listOwnedFiles(
  db: Db,
  ownerId: string,
  opts: { kind?: FileRow["kind"] | undefined; cursor?: string | null | undefined; limit: number },
): Promise<{ items: FileRow[]; nextCursor: string | null }> {
  let q = db
    .selectFrom("files")
    .selectAll()
    .select(cursorCreatedAt("files").as("cursorCreatedAt"))
    .where("ownerId", "=", ownerId);
  if (opts.kind) q = q.where("kind", "=", opts.kind);
  if (opts.cursor) q = q.where(afterCursor("files", decodeCursor(opts.cursor)));
  const rows = await q
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .limit(opts.limit + 1)
    .execute();
  return toPage(rows, opts.limit, ({ cursorCreatedAt: _, ...row }) => row);
}

/**
 * Deletes the caller's upload. Refused while a shootout uses it (as DI or IR) and for outputs,
 * which belong to their job. The bytes stay in storage: content-addressed keys may be shared by
 * other rows, and a sweep, not this call, is the safe place to collect them.
 */
export async function deleteOwnedFile(db: Kysely<DB>, ownerId: string, fileId: string): Promise<void> {
  const file = await getOwnedFile(db, ownerId, fileId);
  if (file.kind === "output") throw new ConflictError("an output file is deleted with its job");
  const usedBy = await db
    .selectFrom("shootouts")
    .select("id")
    .where((eb) =>
      eb.or([
        eb("diFileId", "=", fileId),
        eb.exists(
          eb
            .selectFrom("toneSelections")
            .select("toneSelections.id")
            .whereRef("toneSelections.shootoutId", "=", "shootouts.id")
            .where("toneSelections.irFileId", "=", fileId),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (usedBy) throw new ConflictError("file is used by a shootout");
  try {
    await db.deleteFrom("files").where("id", "=", fileId).where("ownerId", "=", ownerId).execute();
  } catch (error) {
    // A shootout started using it between the check and the delete: the foreign key says no.
    if (hasSqlState(error, FOREIGN_KEY_VIOLATION)) throw new ConflictError("file is used by a shootout");
    throw error;
  }
}
