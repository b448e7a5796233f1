/**
 * Regenerates src/generated/db.ts from a freshly migrated database (`pnpm db:codegen`), or with
 * `--verify` fails when the committed file differs from what that database generates (CI's drift
 * check). The database is a throw-away one created on the Postgres server named by
 * CODEGEN_DATABASE_URL (or TEST_DATABASE_URL); without either, an in-memory PGlite.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { GENERATED_TYPES_FILE, generateSchemaTypes } from "../codegen.ts";
import { createDb } from "../create-db.ts";
import { migrateToLatest } from "../migrate.ts";
import { databaseUrlFor } from "../testing/env.ts";

const verify = process.argv.includes("--verify");
const serverUrl = process.env.CODEGEN_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

async function withFreshDatabase<T>(fn: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
  if (!serverUrl) {
    const database = await createDb({});
    try {
      await migrateToLatest(database.db);
      return await fn(database.db.withoutPlugins() as Kysely<unknown>);
    } finally {
      await database.close();
    }
  }
  const name = `shootout_codegen_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const pool = new pg.Pool({ connectionString: databaseUrlFor(serverUrl, name), max: 2 });
  // The drop below may reach a connection the pool is still closing; that is expected.
  pool.on("error", () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
    return await fn(db);
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

try {
  await withFreshDatabase((db) => generateSchemaTypes(db, { verify }));
  const file = path.relative(process.cwd(), GENERATED_TYPES_FILE);
  const source = serverUrl ? "Postgres" : "PGlite";
  console.log(verify ? `${file} matches a freshly migrated ${source}` : `wrote ${file} (${source})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  if (verify) console.error("The schema types are stale: run `pnpm db:codegen` and commit the result.");
  process.exitCode = 1;
}
