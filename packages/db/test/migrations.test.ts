import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_TYPES_FILE, generateSchemaTypes } from "../src/codegen.ts";
import { createDb, type Database } from "../src/create-db.ts";
import { migrateDown, migrateToEmpty, migrateToLatest, migrationsAreCurrent } from "../src/migrate.ts";
import { databaseUrlFor, testDatabaseUrl } from "../src/testing/env.ts";

/** An empty, unmigrated database on the backend under test. */
async function emptyDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) return { database: await createDb({}), drop: async () => {} };
  const name = `shootout_migtest_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const database = await createDb({ databaseUrl: databaseUrlFor(testDatabaseUrl, name), poolMax: 2 });
  return {
    database,
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function tableNames(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'
    order by tablename`.execute(db);
  return rows.map((r) => r.tablename);
}

async function columnNames(db: Kysely<unknown>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} order by column_name`.execute(db);
  return rows.map((r) => r.name);
}

async function indexNames(db: Kysely<unknown>, table: string): Promise<string[]> {
  const { rows } = await sql<{ indexname: string }>`
    select indexname from pg_indexes where schemaname = 'public' and tablename = ${table}
    order by indexname`.execute(db);
  return rows.map((r) => r.indexname);
}

describe(`migrations (${testDatabaseUrl ? "postgres" : "pglite"})`, () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await emptyDatabase());
  });
  afterAll(async () => {
    await database.close();
    await drop();
  });

  it("go up to the whole schema, down to nothing one step at a time, and up again", async () => {
    const db = database.db as unknown as Kysely<unknown>;
    const all = [
      "0001_initial_schema",
      "0002_jobs_owner_updated_idx",
      "0003_storage_in_database",
      "0004_tone_amp_size",
      "0005_tone_cabinet",
      "0006_tone_attribution",
      "0007_rate_limit_buckets",
    ];
    const domainTables = [
      "files",
      "job_events",
      "jobs",
      "model_cache",
      "sessions",
      "shootouts",
      "tone_selections",
      "users",
    ];
    const storageTables = ["storage_blobs", "storage_chunks", "storage_objects"];
    const rateTables = ["rate_limit_buckets"];
    expect(await migrationsAreCurrent(database.db)).toBe(false);
    expect(await migrateToLatest(database.db)).toEqual(all);
    expect(await migrationsAreCurrent(database.db)).toBe(true);
    expect(await indexNames(db, "jobs")).toContain("jobs_owner_updated_idx");
    expect(await tableNames(db)).toEqual([...domainTables, ...storageTables, ...rateTables].sort());
    expect(await migrateToLatest(database.db)).toEqual([]);

    // Each step down undoes exactly its own migration.
    const toneColumns = () => columnNames(db, "tone_selections");
    expect(await toneColumns()).toEqual(
      expect.arrayContaining(["amp_slim", "cab_tone3000_model_id", "amp_license"]),
    );
    expect(await migrateDown(database.db)).toEqual(["0007_rate_limit_buckets"]);
    expect(await tableNames(db)).toEqual([...domainTables, ...storageTables].sort());
    expect(await migrateDown(database.db)).toEqual(["0006_tone_attribution"]);
    expect(await toneColumns()).not.toContain("amp_license");
    expect(await toneColumns()).toContain("cab_tone3000_model_id");
    expect(await migrateDown(database.db)).toEqual(["0005_tone_cabinet"]);
    expect(await toneColumns()).not.toContain("cab_tone3000_model_id");
    expect(await toneColumns()).toContain("amp_slim");
    expect(await migrateDown(database.db)).toEqual(["0004_tone_amp_size"]);
    expect(await toneColumns()).not.toContain("amp_slim");
    expect(await migrateDown(database.db)).toEqual(["0003_storage_in_database"]);
    expect(await migrationsAreCurrent(database.db)).toBe(false);
    expect(await tableNames(db)).toEqual(domainTables);
    expect(await migrateDown(database.db)).toEqual(["0002_jobs_owner_updated_idx"]);
    expect(await indexNames(db, "jobs")).not.toContain("jobs_owner_updated_idx");
    expect(await tableNames(db)).toEqual(domainTables);
    expect(await migrateDown(database.db)).toEqual(["0001_initial_schema"]);
    expect(await tableNames(db)).toEqual([]);

    await migrateToLatest(database.db);
    expect(await migrateToEmpty(database.db)).toEqual([...all].reverse());
    expect(await tableNames(db)).toEqual([]);
    expect(await migrateToLatest(database.db)).toEqual(all);
  });

  it("generate exactly the committed schema types, and the drift check catches a change", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "codegen-"));
    try {
      const out = path.join(dir, "db.ts");
      const plain = database.db.withoutPlugins() as unknown as Kysely<unknown>;
      await generateSchemaTypes(plain, { outFile: out });
      expect(readFileSync(out, "utf8")).toBe(readFileSync(GENERATED_TYPES_FILE, "utf8"));
      await generateSchemaTypes(plain, { outFile: out, verify: true });

      // A migration changed without regenerating: verify must fail.
      await sql`alter table users add column nickname text`.execute(plain);
      await expect(generateSchemaTypes(plain, { outFile: out, verify: true })).rejects.toThrow();
      await sql`alter table users drop column nickname`.execute(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(testDatabaseUrl)("pg Pool and PGlite read the same types", () => {
  it("bigint, bytea, arrays, jsonb and timestamps come back alike on both backends", async () => {
    const query = sql<{
      n: number;
      b: Uint8Array;
      a: string[];
      j: unknown;
      t: Date;
    }>`select count(*) as n, '\\x0102'::bytea as b, array['wav','flac']::text[] as a,
       '{"x":1}'::jsonb as j, '2026-01-02T03:04:05Z'::timestamptz as t from (values (1),(2)) v`;
    const pglite = await createDb({});
    const viaPg = await createDb({ databaseUrl: testDatabaseUrl });
    try {
      const [a] = (await query.execute(pglite.db)).rows;
      const [b] = (await query.execute(viaPg.db)).rows;
      expect(a!.n).toBe(2);
      expect(b!.n).toBe(2);
      expect([...a!.b]).toEqual([1, 2]);
      expect([...b!.b]).toEqual([1, 2]);
      expect(a!.a).toEqual(b!.a);
      expect(a!.j).toEqual(b!.j);
      expect(a!.t.toISOString()).toBe(b!.t.toISOString());
    } finally {
      await pglite.close();
      await viaPg.close();
    }
  });
});
