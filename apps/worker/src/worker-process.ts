import { loadEnv } from "@shootout/config";
import { type BossOptions, createBoss, createDb, migrateToLatest } from "@shootout/db";
import { ensureQueues, RENDER_SUPERVISE_SECONDS, type RenderPipeline } from "@shootout/jobs";
import { describeStorage, storageFromSettings } from "@shootout/storage";
import type { PgBoss } from "pg-boss";
import { type Logger, pino } from "pino";
import { startWorker } from "./start-worker.ts";

export interface WorkerProcessOptions {
  pipeline: RenderPipeline;
  env?: NodeJS.ProcessEnv;
  /** pg-boss settings on top of the defaults below (tests shorten the supervision intervals). */
  bossOptions?: BossOptions;
  /** Runs after the queues are ensured (tests tighten heartbeat and retry delays). */
  prepareQueues?: (boss: PgBoss) => Promise<void>;
  log?: Logger;
}

/**
 * A standalone worker process: Postgres from DATABASE_URL, migrations, pg-boss, the render worker,
 * and a graceful stop on SIGTERM/SIGINT (a second signal exits at once). `main.ts` runs it with
 * the real pipeline; the tests' entry file runs it with theirs.
 */
export async function runWorkerProcess(options: WorkerProcessOptions): Promise<void> {
  const env = loadEnv(options.env);
  const log =
    options.log ??
    pino(
      {
        level: env.LOG_LEVEL,
        base: { service: "worker", pid: process.pid },
        // Causes nested as they are, not folded into the top message (as the API logs them).
        serializers: { err: pino.stdSerializers.errWithCause },
      },
      pino.destination({ sync: true }),
    );
  if (!env.DATABASE_URL) {
    throw new Error("a standalone worker needs DATABASE_URL (embedded mode runs the worker inside the API)");
  }
  const database = await createDb({
    databaseUrl: env.DATABASE_URL,
    poolMax: env.DATABASE_POOL_MAX,
    applicationName: "shootout-worker",
  });
  await migrateToLatest(database.db);
  const boss = createBoss(database, {
    // Supervision finds renders whose worker died (missed heartbeats) and requeues them; the
    // default minute would leave such a job `running` for that much longer. Every worker runs it,
    // and a claim in the queue table lets one pass in this interval do the work.
    superviseIntervalSeconds: RENDER_SUPERVISE_SECONDS,
    monitorIntervalSeconds: RENDER_SUPERVISE_SECONDS,
    ...options.bossOptions,
  });
  boss.on("error", (error: unknown) => log.error({ err: error }, "pg-boss error"));
  await boss.start();
  await ensureQueues(boss);
  await options.prepareQueues?.(boss);
  const storage = storageFromSettings(env, database);
  await storage.ready();
  log.info(describeStorage(env), "storage ready");
  const worker = await startWorker({
    database,
    boss,
    storage,
    log,
    pipeline: options.pipeline,
    ...(env.WORKER_CONCURRENCY ? { concurrency: env.WORKER_CONCURRENCY } : {}),
  });

  let stopping = false;
  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    try {
      await worker.stop(env.SHUTDOWN_GRACE_SECONDS);
      await boss.stop({ graceful: true, timeout: 5_000 });
      await database.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  }
  process.on("SIGTERM", (signal) => void shutdown(signal));
  process.on("SIGINT", (signal) => void shutdown(signal));
  log.info({ concurrency: env.WORKER_CONCURRENCY ?? "per core" }, "worker process ready");
}
