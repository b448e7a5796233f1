import type { Kysely } from "kysely";
import type { DB } from "../generated/db.ts";

const PLACEHOLDER_SHA256 = "d".repeat(64);

/**
 * A DI of `ownerId` that is a files row only (no bytes in storage), for tests and benches that
 * need one to point a shootout at. Returns the file id.
 */
export function insertTestDiFile(db: Kysely<DB>, ownerId: string): Promise<string> {
  return insertPlaceholderFile(db, ownerId, "di");
}

/** An uploaded cabinet IR of `ownerId`, a files row only like {@link insertTestDiFile}. */
export function insertTestIrFile(db: Kysely<DB>, ownerId: string): Promise<string> {
  return insertPlaceholderFile(db, ownerId, "ir");
}

async function insertPlaceholderFile(db: Kysely<DB>, ownerId: string, kind: "di" | "ir"): Promise<string> {
  const file = await db
    .insertInto("files")
    .values({
      ownerId,
      kind,
      name: `${kind}.wav`,
      mime: "audio/wav",
      sizeBytes: 1,
      sha256: PLACEHOLDER_SHA256,
      storageKey: `sha256/dd/${PLACEHOLDER_SHA256}`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return file.id;
}

/**
 * A bare shootout of `ownerId` for tests that need one to hang jobs on: its DI is a files row
 * only (insertTestDiFile), and it has no tones. Returns the shootout id.
 */
export async function insertTestShootout(
  db: Kysely<DB>,
  ownerId: string,
  options: { name?: string } = {},
): Promise<string> {
  const diFileId = await insertTestDiFile(db, ownerId);
  const shootout = await db
    .insertInto("shootouts")
    .values({ ownerId, name: options.name ?? "s", diFileId })
    .returning("id")
    .executeTakeFirstOrThrow();
  return shootout.id;
}
