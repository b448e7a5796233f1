import { mkdirSync } from "node:fs";
import { createBoss, type Database } from "@shootout/db";
import { ensureQueues, type RenderPipeline } from "@shootout/jobs";
import { createLocalStorage } from "@shootout/storage";
import { placeholderPipeline, startWorker } from "@shootout/worker";
import type { PgBoss } from "pg-boss";
import { pino } from "pino";

export interface TestWorker {
  readonly boss: PgBoss;
  stop(): Promise<void>;
}

/**
 * A real render worker (apps/worker's startWorker) on `database`, as another machine would run;
 * with the worker's placeholder pipeline unless given one.
 */
export async function startTestWorker(
  database: Database,
  storageDir: string,
  boss?: PgBoss,
  pipeline: RenderPipeline = placeholderPipeline,
): Promise<TestWorker> {
  mkdirSync(storageDir, { recursive: true });
  const ownBoss = boss ?? createBoss(database, { supervise: false, schedule: false, migrate: false });
  if (!boss) await ownBoss.start();
  await ensureQueues(ownBoss);
  const worker = await startWorker({
    database,
    boss: ownBoss,
    storage: createLocalStorage(storageDir),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    pipeline,
    concurrency: 1,
    pollingIntervalSeconds: 1,
  });
  return {
    boss: ownBoss,
    async stop() {
      await worker.stop(5);
      if (!boss) await ownBoss.stop({ graceful: false });
    },
  };
}
