import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ApiServer,
  createApiServer,
  type EmbeddedServices,
  startEmbeddedServices,
  webAppRoutes,
} from "@shootout/api";
import { type Env, loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import {
  createJobEventHub,
  createJobQueue,
  ensureQueues,
  type JobEventHub,
  type RenderPipeline,
} from "@shootout/jobs";
import type { Tone3000ClientFactory } from "@shootout/router";
import { createLocalStorage, type Storage } from "@shootout/storage";
import { type RunningWorker, startWorker } from "@shootout/worker";
import { pino } from "pino";
import { freePort } from "./free-port.ts";

export interface EmbeddedStack {
  readonly url: string;
  readonly database: TestDatabase;
  /** Stops the API server (HTTP + WebSocket + event hub); the worker keeps rendering. */
  stopApi(): Promise<void>;
  /** Starts a new API server on the same port (after stopApi): a server restart. */
  startApi(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What `./shootout start` runs in one process (apps/api/src/main.ts), over a test database: the
 * API with the Tone 3000 stand-in (auto-approved local login, bundled models), the live event hub,
 * the render worker with `pipeline`, and the web app from `distDir`.
 */
export async function startEmbeddedStack(options: {
  distDir: string;
  /** The render pipeline, made with the stand-in's Tone 3000 clients (models download through them). */
  pipeline: (tone3000: Tone3000ClientFactory) => RenderPipeline & { close?(): Promise<void> };
}): Promise<EmbeddedStack> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "shootout-web-e2e-"));
  const env: Env = loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PGLITE_DATA_DIR: path.join(dataDir, "pglite"),
    STORAGE_DIR: path.join(dataDir, "storage"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // This stack starts its own worker, with the pipeline the test asks for.
    EMBEDDED_WORKER: "false",
  });
  const database = await createTestDatabase();
  const storage: Storage = createLocalStorage(env.STORAGE_DIR);
  const boss = createBoss(database, { supervise: false, schedule: false });
  await boss.start();
  await ensureQueues(boss);
  const embedded: EmbeddedServices = await startEmbeddedServices({ env, database, storage, boss, log });
  const tone3000 = embedded.tone3000;
  if (!tone3000) throw new Error("the embedded services started no Tone 3000 client factory");
  const pipeline = options.pipeline(tone3000);
  const worker: RunningWorker = await startWorker({
    database,
    boss,
    storage,
    log,
    pipeline,
    concurrency: 1,
    pollingIntervalSeconds: 1,
  });

  let events: JobEventHub;
  let api: ApiServer;
  async function startApi(): Promise<string> {
    events = await createJobEventHub(database, log);
    api = createApiServer({
      env,
      database,
      storage,
      log,
      context: { jobQueue: createJobQueue(boss), tone3000: embedded.tone3000, events },
      routes: [...embedded.routes, ...webAppRoutes({ distDir: options.distDir })],
      limits: { shutdownGraceMs: 1_000 },
    });
    return api.listen(port, "127.0.0.1");
  }
  const url = await startApi();
  let running = true;

  return {
    url,
    database,
    async stopApi() {
      await api.close();
      await events.close();
      running = false;
    },
    async startApi() {
      await startApi();
      running = true;
    },
    async close() {
      if (running) {
        await api.close();
        await events.close();
      }
      await worker.stop(1);
      await pipeline.close?.();
      await embedded.stop();
      await boss.stop({ graceful: false });
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
