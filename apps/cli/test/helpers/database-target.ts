import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Database } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { inject } from "vitest";

/**
 * Where an in-process CLI child keeps its data, and how the test looks at it.
 * - Postgres (TEST_DATABASE_URL): a migrated clone; the child gets DATABASE_URL and the test keeps
 *   its own connection open beside it.
 * - PGlite: a data directory made from the migrated dump; only one process may open it, so the
 *   test opens it between CLI runs (`withDb`), never during one.
 */
export interface DatabaseTarget {
  readonly backend: "postgres" | "pglite";
  /** Environment for the CLI child (database, storage). */
  readonly env: Record<string, string>;
  readonly storageDir: string;
  readonly dir: string;
  withDb<T>(fn: (database: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function createDatabaseTarget(): Promise<DatabaseTarget> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "shootout-cli-test-"));
  const storageDir = path.join(dir, "storage");
  if (process.env.TEST_DATABASE_URL) {
    const database: TestDatabase = await createTestDatabase();
    return {
      backend: "postgres",
      env: {
        DATABASE_URL: database.url!,
        STORAGE_DIR: storageDir,
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      },
      storageDir,
      dir,
      withDb: (fn) => fn(database),
      async close() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const dataDir = path.join(dir, "pglite");
  const seeded = await createDb({
    pgliteDataDir: dataDir,
    pgliteLoadDataDir: new Blob([readFileSync(inject("pgliteDump"))]),
  });
  await seeded.close();
  return {
    backend: "pglite",
    env: { PGLITE_DATA_DIR: dataDir, STORAGE_DIR: storageDir },
    storageDir,
    dir,
    async withDb(fn) {
      const database = await createDb({ pgliteDataDir: dataDir });
      try {
        return await fn(database);
      } finally {
        await database.close();
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
