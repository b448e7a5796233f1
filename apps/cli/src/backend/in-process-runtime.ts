import { mkdirSync } from "node:fs";
import path from "node:path";
import { type EmbeddedServices, startEmbeddedServices } from "@shootout/api";
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
import { createLocalStorage, type Storage } from "@shootout/storage";
import { type RunningWorker, startWorker } from "@shootout/worker";
import type { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { renderPipeline } from "./render-pipeline.ts";

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
}

export interface InProcessRuntime {
  readonly database: Database;
  readonly storage: Storage;
  readonly jobQueue: JobQueue;
  readonly events: JobEventHub | null;
  readonly tone3000: Tone3000ClientFactory | null;
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
 * (migrated), storage, and as needed the queue, the event hub, a render worker and, on the
 * embedded database, the API's embedded services (the Tone 3000 stand-in).
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
    const storage = createLocalStorage(env.STORAGE_DIR);
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

    let services: EmbeddedServices | null = null;
    let worker: RunningWorker | null = null;
    if (wantWorker && boss) {
      if (embedded) {
        // The API's embedded wiring (the Tone 3000 stand-in and its clients). Its own worker is
        // switched off: this process starts the worker itself, below, and must not get two.
        const started = await startEmbeddedServices({
          env: { ...env, EMBEDDED_WORKER: false },
          database,
          storage,
          boss,
          log,
        });
        stops.push(() => started.stop());
        services = started;
      }
      const running = await startWorker({
        database,
        boss,
        storage,
        log,
        pipeline: renderPipeline,
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
      worker,
      where: describe(env),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
