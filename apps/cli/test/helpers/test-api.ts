import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ApiServer, createApiServer } from "@shootout/api";
import { loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobEventHub, createJobQueue, ensureQueues, type JobEventHub } from "@shootout/jobs";
import { createLocalStorage } from "@shootout/storage";
import { pino } from "pino";
import { startTestWorker, type TestWorker } from "./test-worker.ts";

export interface TestApi {
  readonly url: string;
  readonly database: TestDatabase;
  readonly storageDir: string;
  close(): Promise<void>;
}

/**
 * A real API server (apps/api's createApiServer) on 127.0.0.1:0 with live job events, and a real
 * render worker beside it, over a test database: what `--api` talks to.
 */
export async function startTestApi(): Promise<TestApi> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const database = await createTestDatabase();
  const storageDir = mkdtempSync(path.join(os.tmpdir(), "shootout-cli-api-"));
  const boss = createBoss(database, { supervise: false, schedule: false, migrate: false });
  await boss.start();
  await ensureQueues(boss);
  const events: JobEventHub = await createJobEventHub(database, log);
  const worker: TestWorker = await startTestWorker(database, storageDir, boss);
  const api: ApiServer = createApiServer({
    env: loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent" }),
    database,
    storage: createLocalStorage(storageDir),
    log,
    context: { jobQueue: createJobQueue(boss), events },
  });
  const url = await api.listen(0, "127.0.0.1");
  return {
    url,
    database,
    storageDir,
    async close() {
      await api.close();
      await worker.stop();
      await events.close();
      await boss.stop({ graceful: false });
      await database.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
