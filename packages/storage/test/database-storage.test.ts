import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll } from "vitest";
import { createDatabaseStorage } from "../src/database-storage.ts";
import { storageContract } from "./storage-contract.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

// Small chunks, so short test data crosses many chunk boundaries.
const CHUNK = 1000;

// Both ways of writing chunks, on whichever backend runs the tests.
for (const writeAsText of [false, true]) {
  storageContract(
    `database (${process.env.TEST_DATABASE_URL ? "Postgres" : "PGlite"}, chunks written as ${writeAsText ? "base64 text" : "bytea"})`,
    async () => {
      await sql`truncate storage_objects, storage_chunks, storage_blobs`.execute(t.db);
      return {
        storage: createDatabaseStorage(t.db, { chunkBytes: CHUNK, writeAsText }),
        chunkBytes: CHUNK,
        leftovers: async () => {
          const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from storage_blobs b
        left join storage_objects o on o.blob_id = b.id where o.key is null`.execute(t.db);
          return rows[0]!.n;
        },
        backdate: async (key, ms) => {
          await t.db
            .updateTable("storageObjects")
            .set({ modifiedAt: new Date(Date.now() - ms) })
            .where("key", "=", key)
            .execute();
        },
        abandonPut: async (ms) => {
          const blob = await t.db
            .insertInto("storageBlobs")
            .values({ startedAt: new Date(Date.now() - ms) })
            .returning("id")
            .executeTakeFirstOrThrow();
          await t.db
            .insertInto("storageChunks")
            .values({ blobId: blob.id, index: 0, bytes: Buffer.from("half") })
            .execute();
        },
        close: async () => {},
      };
    },
  );
}
