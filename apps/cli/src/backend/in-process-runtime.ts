import { mkdirSync } from "node:fs";
import path from "node:path";
import { startTone3000Services, type Tone3000Services } from "@shootout/api";
import type { Env } from "@shootout/config";
import { createBoss, createDb, type Database, migrateToLatest } from "@shootout/db";
import {
  createJobEventHub,
  createJobQueue,
  ensureQueues,
  type JobEventHub,
  type JobQueue,
} from "@shootout/jobs";
import type { Tone3000ClientFactory } from "@shootout/router";
import { type Storage, storageFromSettings } from "@shootout/storage";
import { type RunningWorker, startWorker } from "@shootout/worker";
import type { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { createRenderPipeline } from "./render-pipeline.ts";

/** What a command needs running in this process besides the database. */
export interface RuntimeNeeds {
  /** A started pg-boss, for jobs.create. */
  readonly queue?: boolean;
  /** The job event hub, for jobs.onProgress / jobs.onMine. */
  readonly events?: boolean;
  /**
   * A render worker in this process: "auto" runs one on the embedded database (nothing else can
   * open it, so nothing else would render), none on Postgres (workers run elsewhere).
   */
  readonly worker?: "auto" | "yes" | "no";
  /**
   * Tone 3000 in this process (token store, OAuth client, per-user clients), as the API runs it:
   * on the embedded database always (the in-process stand-in unless TONE3000_BASE_URL is set), on
   * Postgres when TONE3000_BASE_URL is set. A worker in this process implies it.
   */
  readonly tone3000?: boolean;
}

export interface InProcessRuntime {
  readonly database: Database;
  readonly storage: Storage;
  readonly jobQueue: JobQueue;
  readonly events: JobEventHub | null;
  readonly tone3000: Tone3000ClientFactory | null;
  /** The API's Tone 3000 services, when this process runs them (see RuntimeNeeds.tone3000). */
  readonly tone3000Services: Tone3000Services | null;
  readonly worker: RunningWorker | null;
  /** "embedded database at …" or "Postgres at host/db". */
  readonly where: string;
  /** Stops what was started, last started first. `graceSeconds`: how long a render may finish. */
  close(graceSeconds?: number): Promise<void>;
}

/** Refuses jobs.* calls of commands that did not ask for the queue (a bug, said loudly). */
const noQueue: JobQueue = {
  enqueueRender: () => Promise.reject(new Error("this command did not start the job queue")),
  cancelRender: () => Promise.reject(new Error("this command did not start the job queue")),
};

function describe(env: Env): string {
  if (!env.DATABASE_URL) return `embedded database at ${path.resolve(env.PGLITE_DATA_DIR)}`;
  const url = new URL(env.DATABASE_URL);
  return `Postgres at ${url.host}${url.pathname}`;
}

/**
 * The product's pieces, in this process, the way the API's `main.ts` wires them: the database
 * (migrated), storage, and as needed the queue, the event hub, Tone 3000 (on the embedded
 * database the in-process stand-in) and a render worker with the real pipeline.
 */
export async function openInProcessRuntime(
  env: Env,
  log: Logger,
  needs: RuntimeNeeds,
): Promise<InProcessRuntime> {
  const embedded = !env.DATABASE_URL;
  if (embedded) mkdirSync(path.dirname(path.resolve(env.PGLITE_DATA_DIR)), { recursive: true });
  const database = await createDb(
    env.DATABASE_URL
      ? {
          databaseUrl: env.DATABASE_URL,
          poolMax: Math.min(env.DATABASE_POOL_MAX, 4),
          applicationName: "shootout-cli",
        }
      : { pgliteDataDir: env.PGLITE_DATA_DIR },
  );
  const stops: Array<(graceSeconds: number) => Promise<void>> = [() => database.close()];
  const close = async (graceSeconds = 0) => {
    for (const stop of stops.splice(0).reverse()) await stop(graceSeconds);
  };

  try {
    await migrateToLatest(database.db);
    const storage = storageFromSettings(env, database);
    await storage.ready();
    const workerMode = needs.worker ?? "no";
    const wantWorker = workerMode === "yes" || (workerMode === "auto" && embedded);

    let boss: PgBoss | null = null;
    if (needs.queue || wantWorker) {
      const started = createBoss(database);
      started.on("error", (error: unknown) => log.error({ err: error }, "pg-boss error"));
      await started.start();
      stops.push(() => started.stop({ graceful: true, timeout: 5_000 }));
      await ensureQueues(started);
      boss = started;
    }

    let events: JobEventHub | null = null;
    if (needs.events) {
      const hub = await createJobEventHub(database, log);
      stops.push(() => hub.close());
      events = hub;
    }

    // The API's Tone 3000 wiring: the same token key (env, or the key file beside the embedded
    // database), so tokens one stores the other reads; on the embedded database the stand-in,
    // with the grants it issued kept beside the database.
    let services: Tone3000Services | null = null;
    if ((needs.tone3000 || wantWorker) && (embedded || env.TONE3000_BASE_URL)) {
      const started = await startTone3000Services({ env, db: database.db, log });
      stops.push(() => started.close());
      services = started;
    }

    let worker: RunningWorker | null = null;
    if (wantWorker && boss) {
      // The real pipeline; without Tone 3000 here (Postgres, no TONE3000_BASE_URL) it is
      // configured from the environment as apps/worker's is, and says what is missing.
      const pipeline = createRenderPipeline(env, services?.tone3000 ?? null);
      stops.push(() => pipeline.close());
      const running = await startWorker({
        database,
        boss,
        storage,
        log,
        pipeline,
        ...(env.WORKER_CONCURRENCY ? { concurrency: env.WORKER_CONCURRENCY } : {}),
      });
      stops.push((grace) => running.stop(grace));
      worker = running;
    }

    return {
      database,
      storage,
      jobQueue: boss ? createJobQueue(boss) : noQueue,
      events,
      tone3000: services?.tone3000 ?? null,
      tone3000Services: services,
      worker,
      where: describe(env),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
