import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  classifyDatabaseError,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
} from "../src/database-unavailable.ts";
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from "../src/testing/index.ts";

describe("isDatabaseUnavailable", () => {
  it("knows connection failures from query errors", () => {
    const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });
    for (const yes of [
      coded("ECONNREFUSED"),
      coded("ECONNRESET"),
      coded("ETIMEDOUT"),
      coded("08006"),
      coded("08001"),
      coded("57P01", "terminating connection due to administrator command"),
      coded("57P03", "the database system is starting up"),
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
      new Error("timeout exceeded when trying to connect"),
      new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")], ""),
      new Error("outer", { cause: coded("ECONNRESET") }),
    ]) {
      expect(isDatabaseUnavailable(yes), String(yes)).toBe(true);
      expect(classifyDatabaseError(yes)).toBeInstanceOf(DatabaseUnavailableError);
    }
    for (const no of [
      coded("42601", "syntax error at or near"),
      coded("23505", "duplicate key value violates unique constraint"),
      // A query error whose text happens to mention a connection is still the query's.
      coded("22021", "invalid byte sequence (connection terminated?)"),
      new Error("invalid input syntax for type uuid"),
      null,
      "ECONNREFUSED",
    ]) {
      expect(isDatabaseUnavailable(no), String(no)).toBe(false);
      expect(classifyDatabaseError(no)).toBe(no);
    }
  });
});

describe.skipIf(!testDatabaseUrl)("a lost connection (postgres)", () => {
  let t: TestDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    t = await createTestDatabase();
    admin = new pg.Client({ connectionString: t.url! });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  async function terminate(pid: number): Promise<void> {
    await admin.query("select pg_terminate_backend($1)", [pid]);
  }

  it("in a transaction with no query in flight: fails the next query as DatabaseUnavailableError, and the process lives on", async () => {
    const outcome = t.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      // The server goes away while this transaction waits on something else: pg-pool no longer
      // listens to this checked-out client, so its 'error' event needs a listener of ours.
      await terminate(rows[0]!.pid);
      await sleep(300);
      await sql`select 1`.execute(trx);
    });
    await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // The broken client was discarded: the pool serves the next call with a fresh one.
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(t.db);
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it("mid-query: the query fails as DatabaseUnavailableError", async () => {
    const outcome = t.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      const slow = sql`select pg_sleep(5)`.execute(trx);
      // Rejects while the terminate below is awaited; it is awaited right after.
      slow.catch(() => {});
      await sleep(100);
      await terminate(rows[0]!.pid);
      await slow;
    });
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as DatabaseUnavailableError).retryable).toBe(true);
  });

  it("a server that refuses connections: the checkout fails as DatabaseUnavailableError", async () => {
    const { createDb } = await import("../src/create-db.ts");
    const url = new URL(t.url!);
    // A port nothing listens on: what clients see while Postgres restarts.
    url.port = "1";
    const away = await createDb({ databaseUrl: url.toString(), poolMax: 1 });
    try {
      await expect(sql`select 1`.execute(away.db)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await away.close();
    }
  });

  it("query errors stay what they are", async () => {
    const error = await sql`select nope from nowhere`.execute(t.db).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
    expect((error as { code?: string }).code).toBe("42P01");
  });
});
