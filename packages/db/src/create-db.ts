import { PGlite } from "@electric-sql/pglite";
import { CamelCasePlugin, Kysely, PGliteDialect, PostgresDialect } from "kysely";
import pg from "pg";
import { classifyingDialect } from "./classifying-dialect.ts";
import { type DbConfig, dbConfigSchema } from "./config.ts";
import type { DB } from "./generated/db.ts";

export type Backend = "postgres" | "pglite";

/** A database handle: the Kysely instance plus what a queue or a listener needs underneath it. */
export interface Database {
  readonly db: Kysely<DB>;
  readonly backend: Backend;
  /** Set on the Postgres backend: for pg-boss and LISTEN connections of their own. */
  readonly connectionString: string | null;
  /** Set on the PGlite backend: the single in-process instance everything shares. */
  readonly pglite: PGlite | null;
  close(): Promise<void>;
}

const INT8_OID = 20;

// bigint (count(*), sums) as a JS number on both backends, so results have one type whichever runs.
// Every bigint we read is a count far below 2^53.
const parseInt8 = (value: string): number => Number(value);

export async function createDb(config: DbConfig = {}): Promise<Database> {
  const cfg = dbConfigSchema.parse(config);
  const plugins = [new CamelCasePlugin()];

  if (cfg.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: cfg.databaseUrl,
      max: cfg.poolMax,
      application_name: cfg.applicationName,
      // While the server is away a checkout fails within this instead of queueing forever.
      connectionTimeoutMillis: cfg.connectTimeoutMs,
      keepAlive: true,
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === INT8_OID
            ? parseInt8
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    // pg-pool takes its own 'error' listener off a client it hands out, and a checked-out client
    // whose server goes away between two queries (a transaction waiting on other work) emits
    // 'error' with nobody listening: an uncaught exception that ends the process. This listener
    // stays for the client's whole life; the broken client's next query fails (as a
    // DatabaseUnavailableError) and the pool discards it when it is released.
    pool.on("connect", (client) => {
      client.on("error", () => {});
    });
    const db = new Kysely<DB>({
      dialect: classifyingDialect(new PostgresDialect({ pool })),
      plugins,
    });
    let closed = false;
    return {
      db,
      backend: "postgres",
      connectionString: cfg.databaseUrl,
      pglite: null,
      async close() {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  }

  const pglite = await PGlite.create(cfg.pgliteDataDir, {
    parsers: { [INT8_OID]: parseInt8 },
    ...(cfg.pgliteLoadDataDir ? { loadDataDir: cfg.pgliteLoadDataDir } : {}),
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), plugins });
  let closed = false;
  return {
    db,
    backend: "pglite",
    connectionString: null,
    pglite,
    async close() {
      if (closed) return;
      closed = true;
      // Kysely's PGlite driver closes the instance it was given.
      await db.destroy();
    },
  };
}
