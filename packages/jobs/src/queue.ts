import type { DB } from "@shootout/db";
import { bossDbIn } from "@shootout/db";
import type { Kysely, Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import {
  deadLetterQueueOptions,
  RENDER_DEAD_LETTER_QUEUE,
  RENDER_QUEUE,
  type RenderJobPayload,
  renderQueueOptions,
  STORAGE_SWEEP_CRON,
  STORAGE_SWEEP_QUEUE,
  storageSweepQueueOptions,
} from "./definitions.ts";

/** What the API needs of the queue: send (inside the caller's transaction) and cancel. */
export interface JobQueue {
  /** Queues a render inside `trx`: it commits or rolls back with the caller's rows. Returns the queue's job id. */
  enqueueRender(trx: Transaction<DB> | Kysely<DB>, payload: RenderJobPayload): Promise<string>;
  /** Removes a queued render that no worker has started (a no-op once it is gone). */
  cancelRender(trx: Transaction<DB> | Kysely<DB>, queueJobId: string): Promise<void>;
}

export function createJobQueue(boss: PgBoss): JobQueue {
  return {
    async enqueueRender(trx, payload) {
      const id = await boss.send(RENDER_QUEUE, payload, { db: bossDbIn(trx) });
      if (!id) throw new Error(`pg-boss refused to queue render ${payload.jobId}`);
      return id;
    },
    async cancelRender(trx, queueJobId) {
      await boss.cancel(RENDER_QUEUE, queueJobId, { db: bossDbIn(trx) });
    },
  };
}

/** Creates (or updates to the current options) the queues both the API and the worker use. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const [name, options] of [
    [RENDER_DEAD_LETTER_QUEUE, deadLetterQueueOptions],
    [RENDER_QUEUE, renderQueueOptions],
    [STORAGE_SWEEP_QUEUE, storageSweepQueueOptions],
  ] as const) {
    if (await boss.getQueue(name)) {
      // pg-boss fixes only the policy at creation; everything else (the heartbeat and retry delay
      // too, so a deployment made with older settings gets the current ones) follows the code on
      // every start. Jobs keep what their queue said when they were sent.
      const { policy: _p, ...updatable } = options;
      await boss.updateQueue(name, updatable);
    } else {
      await boss.createQueue(name, options);
    }
  }
  // An upsert: every start agrees on the one schedule.
  await boss.schedule(STORAGE_SWEEP_QUEUE, STORAGE_SWEEP_CRON);
}
