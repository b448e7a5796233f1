import type { Kysely, Transaction } from "kysely";
import { type ConstructorOptions, fromKysely, fromPglite, PgBoss } from "pg-boss";
import type { Database } from "./create-db.ts";

export type BossOptions = Omit<ConstructorOptions, "db" | "connectionString" | "backend">;

export const BOSS_SCHEMA = "pgboss";

/**
 * pg-boss on either backend: on Postgres through its own pool on the same database; on PGlite
 * through pg-boss's PGlite adapter over the one in-process instance (single connection, so the
 * queue and the app share it and PGlite serialises them).
 */
export function createBoss(database: Database, options: BossOptions = {}): PgBoss {
  const boss = newBoss(database, options);
  // An 'error' event nobody listens to is thrown by EventEmitter and kills the process (pg-boss
  // emits one when a pooled connection dies, e.g. while its database is dropped). Callers add
  // their own logging listener; until they do, report on stderr instead of crashing.
  boss.on("error", (error) => {
    if (boss.listenerCount("error") > 1) return;
    process.stderr.write(`pg-boss: ${error instanceof Error ? error.message : String(error)}\n`);
  });
  return boss;
}

function newBoss(database: Database, options: BossOptions): PgBoss {
  const common: ConstructorOptions = {
    schema: BOSS_SCHEMA,
    // Wake workers the moment a job is sent instead of on the next 2 s poll.
    useListenNotify: true,
    ...options,
  };
  if (database.backend === "postgres") {
    if (!database.connectionString) throw new Error("postgres backend without a connection string");
    return new PgBoss({ ...common, connectionString: database.connectionString, max: options.max ?? 4 });
  }
  if (!database.pglite) throw new Error("pglite backend without a PGlite instance");
  return new PgBoss({ ...common, db: fromPglite(database.pglite), backend: "pglite" });
}

/**
 * The `db` option that makes a pg-boss call (send, cancel…) part of a Kysely transaction, so a
 * job row and its queued job commit or roll back together. Plugins are dropped so pg-boss reads
 * its own column names back unchanged.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema's transaction will do
export function bossDbIn(trx: Transaction<any> | Kysely<any>) {
  return fromKysely(trx.withoutPlugins());
}
