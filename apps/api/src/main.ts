/**
 * `pnpm start`: the API process. Reads the environment, opens the database (Postgres with
 * DATABASE_URL, else embedded PGlite), migrates it, starts the queue client, serves on HOST:PORT
 * and stops gracefully on SIGTERM/SIGINT (a second signal exits at once).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { hasFfmpeg } from "@shootout/audio";
import { ConfigError, type Env, loadEnv } from "@shootout/config";
import { createBoss, createDb, migrateToLatest } from "@shootout/db";
import { createJobEventHub, createJobQueue, ensureQueues, watchStalledRenders } from "@shootout/jobs";
import { describeStorage, StorageError, storageFromSettings } from "@shootout/storage";
import { startEmbeddedServices } from "./embedded.ts";
import { createLogger, type Logger } from "./logger.ts";
import { webAppRoutes } from "./routes/web-app-routes.ts";
import { createApiServer } from "./server.ts";

function readEnv(): Env {
  try {
    return loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`shootout api: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}

async function main(): Promise<void> {
  const env = readEnv();
  const log = createLogger({ level: env.LOG_LEVEL });

  if (!env.DATABASE_URL) mkdirSync(path.dirname(path.resolve(env.PGLITE_DATA_DIR)), { recursive: true });
  const database = await createDb(
    env.DATABASE_URL
      ? { databaseUrl: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, applicationName: "shootout-api" }
      : { pgliteDataDir: env.PGLITE_DATA_DIR },
  );
  const applied = await migrateToLatest(database.db);
  log.info({ backend: database.backend, applied }, "database ready");

  const boss = createBoss(database);
  boss.on("error", (error) => log.error({ err: error }, "pg-boss error"));
  await boss.start();
  await ensureQueues(boss);

  // A render whose worker died shows as waiting for a worker, not frozen at its last progress.
  const stalled = watchStalledRenders({ db: database.db, boss, log });

  const storage = storageFromSettings(env, database);
  await storage.ready();
  log.info(describeStorage(env), "storage ready");
  // A person signing in through the bundled stand-in picks which of its users to be (two browsers,
  // two players: sharing and privacy can be tried locally).
  const embedded = await startEmbeddedServices({
    env,
    database,
    storage,
    boss,
    log,
    tone3000StandIn: { chooser: true },
  });
  // One LISTEN connection fans job events out to every live subscription of this process.
  const events = await createJobEventHub(database, log);
  const api = createApiServer({
    env,
    database,
    storage,
    log,
    context: {
      jobQueue: createJobQueue(boss),
      tone3000: embedded.tone3000,
      events,
      // Without ffmpeg, a shootout asking for an MP4 is refused at jobs.create, saying why.
      capabilities: { video: await hasFfmpeg(), maxDiSeconds: env.MAX_DI_SECONDS },
    },
    routes: [...embedded.routes, ...webAppRoutes()],
  });
  const url = await api.listen();
  // Machine-readable: tests and scripts find the port (PORT=0) on this line.
  log.info({ url }, `listening on ${url}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`shootout api: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "stopping");
    try {
      await api.close();
      await stalled.stop();
      await events.close();
      await embedded.stop();
      await boss.stop({ graceful: true, timeout: Math.max(1_000, api.limits.shutdownGraceMs) });
      await database.close();
      log.info("bye");
      await flush(log);
      process.exit(0);
    } catch (error) {
      log.fatal({ err: error }, "unclean stop");
      await flush(log);
      process.exit(1);
    }
  };
  process.on("SIGTERM", (s) => void stop(s));
  process.on("SIGINT", (s) => void stop(s));
}

main().catch((error: unknown) => {
  // A storage that cannot be used says why in one line; anything else comes with its stack.
  const reason =
    error instanceof StorageError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`shootout api: failed to start: ${reason}\n`);
  process.exit(1);
});
