import type { DB } from "@shootout/db";
import { type Kysely, sql } from "kysely";
import type { JobWithMetadata, PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { RENDER_QUEUE } from "./definitions.ts";
import { appendJobEvent } from "./events.ts";

export const STALLED_RENDER_MESSAGE = "Waiting for a worker (the one rendering it stopped responding)";

/**
 * Whether the queue no longer sees a live worker on this message: its heartbeat is older than
 * the queue allows (the very test pg-boss's supervision fails a job over on, so nothing is taken
 * from a worker that pg-boss would leave it to), or supervision has failed it over already.
 */
function isStalled(message: JobWithMetadata<unknown> | undefined, now: Date): boolean {
  if (!message) return true;
  if (message.state !== "active") return true;
  if (!message.heartbeatOn || !message.heartbeatSeconds) return false;
  return new Date(message.heartbeatOn).getTime() + message.heartbeatSeconds * 1000 < now.getTime();
}

/**
 * Renders shown as `running` whose worker is gone (killed, cut off) go back to `queued` with
 * a "waiting for a worker" event, so their page, list and live stream stop showing the last
 * progress of a render that is not happening. The row is fenced like a worker's write: a
 * worker that has taken the job over since (a new attempt) is left alone, and the dead one's
 * late writes are refused. Returns the ids it marked.
 */
export async function markStalledRenders(db: Kysely<DB>, boss: PgBoss): Promise<string[]> {
  // Read through the partial index of unfinished jobs: as many rows as renders in progress.
  const running = await db
    .selectFrom("jobs")
    .select(["id", "attempts", "queueJobId"])
    .where("status", "=", "running")
    .execute();
  if (running.length === 0) return [];
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
  const now = new Date(rows[0]!.now);
  const marked: string[] = [];
  for (const job of running) {
    if (!job.queueJobId) continue;
    const [message] = await boss.findJobs(RENDER_QUEUE, { id: job.queueJobId });
    if (!isStalled(message, now)) continue;
    const done = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("jobs")
        .select(["status", "attempts", "queueJobId"])
        .where("id", "=", job.id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.status !== "running" || row.attempts !== job.attempts || row.queueJobId !== job.queueJobId)
        return false;
      await appendJobEvent(trx, {
        jobId: job.id,
        status: "queued",
        progress: 0,
        message: STALLED_RENDER_MESSAGE,
      });
      return true;
    });
    if (done) marked.push(job.id);
  }
  return marked;
}

export interface StalledRenderWatch {
  stop(): Promise<void>;
}

/** Runs markStalledRenders every `intervalMs` (failures are logged, never thrown) until stopped. */
export function watchStalledRenders(input: {
  db: Kysely<DB>;
  boss: PgBoss;
  log: Logger;
  intervalMs?: number;
}): StalledRenderWatch {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = markStalledRenders(input.db, input.boss)
      .then((ids) => {
        for (const jobId of ids) input.log.warn({ jobId }, "render stalled: its worker stopped responding");
      })
      .catch((error: unknown) => input.log.warn({ err: error }, "could not check for stalled renders"))
      .finally(() => {
        running = null;
      });
  }, input.intervalMs ?? 2_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
