import type { Env } from "@shootout/config";
import type { Database } from "@shootout/db";
import { createShootoutPipeline } from "@shootout/pipeline";
import type { Tone3000ClientFactory } from "@shootout/router";
import type { Storage } from "@shootout/storage";
import { type RunningWorker, startWorker } from "@shootout/worker";
import type { PgBoss } from "pg-boss";
import type { Logger } from "./logger.ts";
import type { Route } from "./routes/route.ts";
import { startTone3000Services, type Tone3000ServicesOptions } from "./tone3000/tone3000-services.ts";

/** What embedded mode runs beside the API in one process, and how to stop it. */
export interface EmbeddedServices {
  /** Tone 3000 API clients for users (the local stand-in in embedded mode), or null. */
  readonly tone3000: Tone3000ClientFactory | null;
  /** Plain routes the services add (e.g. the stand-in's, or /auth/* wired to it). */
  readonly routes: readonly Route[];
  /** Stops them; called after the API has drained and before the database closes. */
  stop(): Promise<void>;
}

export interface EmbeddedDeps {
  readonly env: Env;
  readonly database: Database;
  readonly storage: Storage;
  /** The started pg-boss instance; on PGlite the worker must share it (one connection). */
  readonly boss: PgBoss;
  readonly log: Logger;
  /** Options for the in-process Tone 3000 stand-in (when TONE3000_BASE_URL is unset). */
  readonly tone3000StandIn?: Tone3000ServicesOptions["standIn"];
}

/**
 * Embedded mode (no DATABASE_URL): the render worker (apps/worker, with the shootout pipeline) and,
 * when TONE3000_BASE_URL is unset, the local Tone 3000 stand-in (packages/tone3000) run in-process.
 * EMBEDDED_WORKER (default: on in embedded mode, off with DATABASE_URL) says whether to run the worker.
 */
export async function startEmbeddedServices(deps: EmbeddedDeps): Promise<EmbeddedServices> {
  const workerWanted = deps.env.EMBEDDED_WORKER ?? deps.database.backend === "pglite";
  // Tone 3000 login + per-user clients; the stand-in in-process when TONE3000_BASE_URL is unset.
  const t3k = await startTone3000Services({
    env: deps.env,
    db: deps.database.db,
    log: deps.log,
    ...(deps.tone3000StandIn ? { standIn: deps.tone3000StandIn } : {}),
  });
  // The render worker with the real pipeline, downloading models with the owners' tokens.
  const pipeline = createShootoutPipeline({ tone3000: t3k.tone3000, maxDiSeconds: deps.env.MAX_DI_SECONDS });
  let worker: RunningWorker | null = null;
  if (workerWanted) {
    worker = await startWorker({
      database: deps.database,
      boss: deps.boss,
      storage: deps.storage,
      log: deps.log,
      pipeline,
      ...(deps.env.WORKER_CONCURRENCY ? { concurrency: deps.env.WORKER_CONCURRENCY } : {}),
    });
  }
  return {
    tone3000: t3k.tone3000,
    routes: t3k.routes,
    async stop() {
      await worker?.stop(deps.env.SHUTDOWN_GRACE_SECONDS);
      await pipeline.close();
      await t3k.close();
    },
  };
}
