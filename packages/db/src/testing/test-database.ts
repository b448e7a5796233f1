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
          // Give connections that are still closing (a queue's or listener's pool) a moment, so
          // the forced drop below only cuts what a test really leaked.
          for (let i = 0; i < 20; i++) {
            const { rows } = await dropper.query<{ n: number }>(
              "select count(*)::int as n from pg_stat_activity where datname = $1",
              [name],
            );
            if (!rows[0]?.n) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
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
