import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Env, loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobEventHub, createJobQueue, ensureQueues } from "@shootout/jobs";
import { createLocalStorage, type Storage } from "@shootout/storage";
import pino from "pino";
import type { ApiLimits } from "../../src/limits.ts";
import type { Logger } from "../../src/logger.ts";
import { type ApiServer, createApiServer } from "../../src/server.ts";

export interface TestApi {
  readonly api: ApiServer;
  readonly url: string;
  readonly database: TestDatabase;
  readonly storage: Storage;
  readonly storageDir: string;
  close(): Promise<void>;
}

/**
 * A real API server on 127.0.0.1, port 0, over a migrated test database (PGlite or a Postgres
 * clone), a temporary storage directory and a started pg-boss client.
 */
export async function startTestApi(
  options: {
    env?: Record<string, string>;
    limits?: Partial<ApiLimits>;
    log?: Logger;
    /** Start the job event hub (one LISTEN connection) for live subscriptions. */
    events?: boolean;
    /** Another storage than the temporary directory (which is still made, and removed). */
    storage?: Storage;
  } = {},
): Promise<TestApi> {
  const env: Env = loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent", ...options.env });
  const database = await createTestDatabase();
  const storageDir = mkdtempSync(path.join(os.tmpdir(), "shootout-api-test-"));
  const storage = options.storage ?? createLocalStorage(storageDir);
  const boss = createBoss(database, { supervise: false, schedule: false, migrate: false });
  await boss.start();
  await ensureQueues(boss);
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const events = options.events ? await createJobEventHub(database, log) : null;
  const api = createApiServer({
    env,
    database,
    storage,
    log,
    context: { jobQueue: createJobQueue(boss), events },
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const url = await api.listen(0, "127.0.0.1");
  return {
    api,
    url,
    database,
    storage,
    storageDir,
    async close() {
      await api.close();
      await events?.close();
      await boss.stop({ graceful: false });
      await database.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
