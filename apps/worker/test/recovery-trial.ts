import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { DB } from "@shootout/db";
import { createJob, type JobQueue, listJobEvents } from "@shootout/jobs";
import type { Kysely } from "kysely";
import { runIntervals, seedShootout, type WorkerProcess, waitFor } from "./helpers.ts";

export interface RecoveryTrial {
  jobId: string;
  /** SIGKILL of the worker rendering the job → another worker's render of it starts. */
  killToPickupMs: number;
  /** SIGKILL → the job is completed. */
  killToCompletionMs: number;
  /** Renders of the job (the killed one included): 2 when it was taken over once. */
  renders: number;
  completedEvents: number;
  attempts: number;
  /** The killed worker. */
  killed: WorkerProcess;
}

/**
 * One job on `workers` (each taking one render at a time, all ready): once it is rendering and
 * has reported progress, the worker holding it is SIGKILLed at a random moment of its 4 s first
 * render (so at any point of its 2 s heartbeat cycle); resolves when another worker has completed
 * it with a 1 s render. The caller replaces the killed worker if it wants another trial.
 */
export async function killMidRender(input: {
  db: Kysely<DB>;
  queue: JobQueue;
  ownerId: string;
  workers: readonly WorkerProcess[];
  runLog: string;
  timeoutMs?: number;
}): Promise<RecoveryTrial> {
  const { db, queue, ownerId, workers, runLog } = input;
  const shootoutId = await seedShootout(db, ownerId, { firstSteps: 40, steps: 10, chunkMs: 100 });
  const { job } = await createJob(db, queue, { shootoutId, ownerId });
  const holderPid = await waitFor(
    async () => {
      const row = await db
        .selectFrom("jobs")
        .select(["progress"])
        .where("id", "=", job.id)
        .executeTakeFirst();
      if (!row || row.progress === 0) return null;
      return runIntervals(readFileSync(runLog, "utf8")).get(job.id)?.[0]?.pid ?? null;
    },
    { intervalMs: 10, what: `job ${job.id} to render and report progress` },
  );
  const killed = workers.find((w) => w.pid === holderPid);
  if (!killed) throw new Error(`job ${job.id} is rendered by pid ${holderPid}, none of ours`);
  await sleep(Math.random() * 2_500);
  killed.child.kill("SIGKILL");
  const killedAt = Date.now();
  await killed.exited;

  const done = await waitFor(
    async () => {
      const row = await db
        .selectFrom("jobs")
        .select(["status", "finishedAt", "attempts"])
        .where("id", "=", job.id)
        .executeTakeFirst();
      return row && ["completed", "failed", "cancelled"].includes(row.status) ? row : null;
    },
    {
      timeoutMs: input.timeoutMs ?? 60_000,
      intervalMs: 20,
      what: `job ${job.id} to be taken over and finish`,
    },
  );
  if (done.status !== "completed") throw new Error(`job ${job.id} ended ${done.status}`);
  const runs =
    runIntervals(readFileSync(runLog, "utf8"), [{ pid: killed.pid, at: killedAt }]).get(job.id) ?? [];
  const rescue = runs.find((r) => r.pid !== killed.pid);
  if (!rescue) throw new Error(`job ${job.id} completed without a second render`);
  const events = await listJobEvents(db, job.id);
  return {
    jobId: job.id,
    killToPickupMs: rescue.start - killedAt,
    killToCompletionMs: new Date(done.finishedAt!).getTime() - killedAt,
    renders: runs.length,
    completedEvents: events.filter((e) => e.status === "completed").length,
    attempts: done.attempts,
    killed,
  };
}
