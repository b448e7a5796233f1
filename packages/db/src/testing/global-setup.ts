/**
 * vitest globalSetup: migrate once, then every test file clones that state.
 * - Postgres (TEST_DATABASE_URL): a template database; each file gets `CREATE DATABASE … TEMPLATE`.
 * - PGlite: a migrated data-directory dump on disk; each file starts a fresh instance from it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { getConstructionPlans } from "pg-boss";
import { BOSS_SCHEMA } from "../boss.ts";
import { createDb } from "../create-db.ts";
import { migrateToLatest } from "../migrate.ts";
import { databaseUrlFor, testDatabaseUrl } from "./env.ts";

interface ProvideContext {
  provide(key: string, value: string): void;
}

export default async function setup(project: ProvideContext): Promise<() => Promise<void>> {
  if (testDatabaseUrl) {
    const template = `shootout_tpl_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const database = await createDb({ databaseUrl: databaseUrlFor(testDatabaseUrl, template), poolMax: 1 });
    try {
      await migrateToLatest(database.db);
      const client = new pg.Client({ connectionString: databaseUrlFor(testDatabaseUrl, template) });
      await client.connect();
      await client.query(getConstructionPlans(BOSS_SCHEMA));
      await client.end();
    } finally {
      await database.close();
    }
    project.provide("dbTemplate", template);
    console.log(`[db] tests run on Postgres (${new URL(testDatabaseUrl).host}), template ${template}`);
    return async () => {
      // Drop the template and whatever clones a crashed test file left behind.
      const { rows } = await admin.query<{ datname: string }>(
        "select datname from pg_database where datname like $1 or datname = $2",
        [`${template}_%`, template],
      );
      for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "shootout-pglite-"));
  const database = await createDb({});
  try {
    await migrateToLatest(database.db);
    await database.pglite!.exec(getConstructionPlans(BOSS_SCHEMA));
    const dump = await database.pglite!.dumpDataDir("none");
    const file = path.join(dir, "migrated.tar");
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide("pgliteDump", file);
  } finally {
    await database.close();
  }
  console.log("[db] tests run on embedded PGlite (set TEST_DATABASE_URL to use Postgres)");
  return async () => rmSync(dir, { recursive: true, force: true });
}
