import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Database } from "../create-db.ts";
import { databaseUrlFor, testDatabaseUrl } from "./env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplate: string;
    pgliteDump: string;
  }
}

export interface TestDatabase extends Database {
  /** The clone's own connection string (Postgres only): hand it to child processes. */
  readonly url: string | null;
}

/**
 * An isolated, migrated database for one test file (or one test): a clone of the template on
 * Postgres, a fresh instance from the migrated dump on PGlite. `close()` drops it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseUrl) {
    const template = inject("dbTemplate");
    const name = `${template}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${template}`);
    } finally {
      await admin.end();
    }
    const url = databaseUrlFor(testDatabaseUrl, name);
    const database = await createDb({ databaseUrl: url, poolMax: 5 });
    return {
      ...database,
      url,
      async close() {
        await database.close();
        const dropper = new pg.Client({ connectionString: testDatabaseUrl });
        await dropper.connect();
        try {
          await dropper.query(`drop database if exists ${name} with (force)`);
        } finally {
          await dropper.end();
        }
      },
    };
  }
  const dump = new Blob([readFileSync(inject("pgliteDump"))]);
  const database = await createDb({ pgliteLoadDataDir: dump });
  return { ...database, url: null };
}
