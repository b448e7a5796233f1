import os from "node:os";
import { type Database, DatabaseUnavailableError, type JsonValue } from "@shootout/db";
import {
  createJobQueue,
  JOB_CANCEL_CHANNEL,
  listenForNotifications,
  RENDER_DEAD_LETTER_QUEUE,
  RENDER_HEARTBEAT_REFRESH_SECONDS,
  RENDER_POLL_SECONDS,
  RENDER_QUEUE,
  RenderError,
  type RenderPipeline,
  renderJobPayload,
  STORAGE_SWEEP_QUEUE,
} from "@shootout/jobs";
import type { Storage } from "@shootout/storage";
import type { JobWithMetadata, PgBoss, WorkOptions } from "pg-boss";
import type { Logger } from "pino";
import { removeJobOutputs } from "./job-outputs.ts";
import {
  ClaimLostError,
  claimJob,
  completeJob,
  type Fence,
  handBack,
  markCancelled,
  markDeadLettered,
  markFailed,
  writeProgress,
} from "./job-transitions.ts";
import { loadShootoutForRender } from "./load-shootout.ts";
import { createProgressThrottle } from "./progress-throttle.ts";
import { RenderStopped } from "./render-stopped.ts";
import { retryWhileDatabaseAway } from "./retry-while-database-away.ts";
import { sweepStorage } from "./storage-sweep.ts";

export interface StartWorkerOptions {
  database: Database;
  /** A started pg-boss on the same database, queues ensured. Its owner stops it after the worker. */
  boss: PgBoss;
  storage: Storage;
  log: Logger;
  pipeline: RenderPipeline;
  /** Renders at once in this process (default: one per core). */
  concurrency?: number;
  /** Least time between two progress events of one job (status changes are never held back). */
  progressIntervalMs?: number;
  /**
   * Queue poll (default RENDER_POLL_SECONDS): picks up retries (a dead worker's job among them)
   * and anything a missed notification announced.
   */
  pollingIntervalSeconds?: number;
  /**
   * How long a write that settles a job (claim, complete, fail, cancel, hand back) is tried again
   * while the database is away before the attempt gives up (default 60 s).
   */
  settleRetryMs?: number;
}

export interface RunningWorker {
  /**
   * Stops taking jobs and lets the renders in hand finish for up to `graceSeconds`; then aborts
   * them and gives them back to the queue. Resolves when no render of this worker is left running.
   */
  stop(graceSeconds: number): Promise<void>;
  /** Ids (jobs.id) of the renders running in this process now. */
  activeJobIds(): string[];
}

/** Handlers get retryCount and retryLimit (to tell a last attempt) with the job. */
type WithMetadata = WorkOptions & { includeMetadata: true };

interface SettleContext {
  message: JobWithMetadata<unknown>;
  fence: Fence;
  progress: number;
  jobLog: Logger;
  signal: AbortSignal;
}

interface ActiveRender {
  readonly controller: AbortController;
  readonly fence: Fence;
}

/** How long aborted renders get to settle (hand back, record a cancel) before stop() gives up. */
const ABORT_SETTLE_MS = 10_000;

const INTERNAL_ERROR_MESSAGE = "The render failed because of an internal error.";

/**
 * The render worker: claims jobs from the render queue, runs the pipeline with progress, cancel and
 * shutdown wired to its AbortSignal, and settles every job it claims (completed, failed, cancelled,
 * or handed back). Works the dead-letter queue too: jobs whose workers kept dying end as failed.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { database, boss, storage, log, pipeline } = options;
  const db = database.db;
  const queue = createJobQueue(boss);
  const concurrency = options.concurrency ?? os.availableParallelism();
  const progressIntervalMs = options.progressIntervalMs ?? 100;
  const pollSeconds = options.pollingIntervalSeconds ?? RENDER_POLL_SECONDS;
  const settleRetryMs = options.settleRetryMs ?? 60_000;
  const active = new Map<string, ActiveRender>();
  let stopping = false;
  let stopPromise: Promise<void> | null = null;

  // A cancel is a NOTIFY from cancelJob's transaction: the render stops within one chunk.
  const cancelListener = await listenForNotifications(database, {
    channels: [JOB_CANCEL_CHANNEL],
    log,
    onNotification(_channel, jobId) {
      active.get(jobId)?.controller.abort(new RenderStopped("cancelled"));
    },
    // Cancels sent while the connection was down were missed: ask the table.
    onReconnect() {
      void recheckCancels();
    },
  });

  async function recheckCancels(): Promise<void> {
    const ids = [...active.keys()];
    if (ids.length === 0) return;
    try {
      const flagged = await db
        .selectFrom("jobs")
        .select("id")
        .where("id", "in", ids)
        .where("cancelRequestedAt", "is not", null)
        .execute();
      for (const { id } of flagged) active.get(id)?.controller.abort(new RenderStopped("cancelled"));
    } catch (error) {
      log.warn({ err: error }, "could not re-check cancel requests");
    }
  }

  /** A job-settling write, tried again while the database is away (bounded). */
  function settling<T>(what: string, jobLog: Logger, write: () => Promise<T>): Promise<T> {
    return retryWhileDatabaseAway(write, { log: jobLog, what, maxMs: settleRetryMs });
  }

  async function render(message: JobWithMetadata<unknown>): Promise<void> {
    const parsed = renderJobPayload.safeParse(message.data);
    if (!parsed.success) {
      // Nothing to render and nothing to retry: complete the message and say so.
      log.error(
        { queueJobId: message.id, issues: parsed.error.issues },
        "render message with an invalid payload",
      );
      return;
    }
    const { jobId } = parsed.data;
    const jobLog = log.child({ jobId, queueJobId: message.id, retryCount: message.retryCount });
    // Waited out rather than failed: a claim refused for a database restart would spend a retry.
    const claim = await settling("claim", jobLog, () => claimJob(db, { jobId, queueJobId: message.id }));
    if (claim.kind === "skipped") {
      jobLog.info({ reason: claim.reason }, "render message skipped");
      return;
    }
    const { fence, job } = claim;
    jobLog.info({ attempt: fence.attempt, resumed: claim.resumed }, "render started");
    const controller = new AbortController();
    active.set(jobId, { controller, fence });
    // pg-boss aborts this when its heartbeat finds the claim gone (expired, taken over).
    const onClaimLost = () => controller.abort(new RenderStopped("claim-lost"));
    message.signal.addEventListener("abort", onClaimLost, { once: true });
    // Lost while the claim waited out a database outage: no abort event comes any more.
    if (message.signal.aborted) onClaimLost();
    if (stopping) controller.abort(new RenderStopped("shutdown"));

    let progress = 0;
    let progressFailing = false;
    const throttle = createProgressThrottle(async (percent, text) => {
      try {
        const state = await writeProgress(db, fence, percent, text);
        progressFailing = false;
        if (state === "cancel-requested") controller.abort(new RenderStopped("cancelled"));
      } catch (error) {
        if (error instanceof ClaimLostError) controller.abort(new RenderStopped("claim-lost"));
        // A progress event lost while the database is away is superseded by the next one: the
        // render goes on, and the log says so once per outage, not once per tick.
        else if (!(error instanceof DatabaseUnavailableError))
          jobLog.warn({ err: error }, "progress write failed");
        else if (!progressFailing) {
          progressFailing = true;
          jobLog.warn({ reason: error.message }, "progress not recorded: database unavailable");
        }
      }
    }, progressIntervalMs);

    try {
      let result: JsonValue;
      try {
        // Leftovers of an earlier attempt that died after writing outputs: a rerun starts clean.
        await settling("remove earlier outputs", jobLog, () => removeJobOutputs(db, storage, jobId, jobLog));
        const shootout = await settling("load shootout", jobLog, () =>
          loadShootoutForRender(db, job.shootoutId),
        );
        controller.signal.throwIfAborted();
        result = await pipeline({
          job,
          shootout,
          signal: controller.signal,
          progress(percent, text) {
            progress = Math.max(0, Math.min(100, Math.round(percent)));
            throttle.report(progress, text);
          },
          db,
          storage,
          log: jobLog,
        });
        await throttle.stop();
        // A pipeline that finished although it was told to stop: the stop wins.
        controller.signal.throwIfAborted();
      } catch (error) {
        await throttle.stop();
        await settleFailure(error, { message, fence, progress, jobLog, signal: controller.signal });
        return;
      }
      await settleCompletion(result, { message, fence, progress, jobLog, signal: controller.signal });
    } finally {
      message.signal.removeEventListener("abort", onClaimLost);
      active.delete(jobId);
    }
  }

  /**
   * Records a finished render. Its outputs are kept whatever happens here: a database that is away
   * is waited for (bounded); past the bound the message fails and a later attempt starts over.
   */
  async function settleCompletion(result: JsonValue, ctx: SettleContext): Promise<void> {
    const { fence, jobLog } = ctx;
    let state: Awaited<ReturnType<typeof completeJob>>;
    try {
      state = await settling("complete", jobLog, () => completeJob(db, fence, result));
    } catch (error) {
      if (error instanceof ClaimLostError) {
        // A retry after a commit whose answer the connection lost finds its own completion.
        const row = await db
          .selectFrom("jobs")
          .select(["status", "attempts"])
          .where("id", "=", fence.jobId)
          .executeTakeFirst()
          .catch(() => null);
        if (row?.status === "completed" && row.attempts === fence.attempt) jobLog.info("render completed");
        else jobLog.warn("render finished, not recorded: another worker holds the job now");
        return;
      }
      jobLog.error({ err: error }, "could not record the finished render");
      throw error;
    }
    if (state === "cancel-requested") {
      await settleFailure(new RenderStopped("cancelled"), ctx);
      return;
    }
    jobLog.info("render completed");
  }

  async function settleFailure(error: unknown, ctx: SettleContext): Promise<void> {
    const { fence, jobLog } = ctx;
    // An abort decides the outcome whatever the pipeline threw on its way out.
    const stop =
      error instanceof RenderStopped
        ? error
        : ctx.signal.aborted && ctx.signal.reason instanceof RenderStopped
          ? ctx.signal.reason
          : null;
    let final = true;
    try {
      if (stop?.reason === "claim-lost") {
        jobLog.warn("render abandoned: another worker holds the job now");
        return;
      }
      await settling("remove outputs", jobLog, () => removeJobOutputs(db, storage, fence.jobId, jobLog));
      if (stop?.reason === "cancelled") {
        await settling("cancel", jobLog, () => markCancelled(db, fence, ctx.progress));
        jobLog.info("render cancelled");
        return;
      }
      if (stop?.reason === "shutdown") {
        await settling("hand back", jobLog, () => handBack(db, fence, queue));
        jobLog.info("render handed back: worker stopping");
        return;
      }
      const userMessage = error instanceof RenderError ? error.message : INTERNAL_ERROR_MESSAGE;
      const retryable = !(error instanceof RenderError) || error.retryable;
      final = !retryable || ctx.message.retryCount >= ctx.message.retryLimit;
      // The stack goes to the logs only; users see `userMessage`. A render refused for what the
      // user gave it (an unreadable DI, a model that is gone) is their news, not an operator's
      // alarm: a warning, which the CLI (printing the refusal itself) keeps quiet by default.
      if (error instanceof RenderError && !error.retryable) {
        jobLog.warn({ err: error, final }, "render refused");
      } else {
        jobLog.error({ err: error, final }, "render failed");
      }
      await settling("fail", jobLog, () =>
        markFailed(db, fence, { userMessage, progress: ctx.progress, final }),
      );
    } catch (settleError) {
      if (settleError instanceof ClaimLostError) {
        jobLog.warn("render outcome not recorded: another worker holds the job now");
        return;
      }
      // Could not record the outcome (database down?): let pg-boss retry; the next claim takes over.
      jobLog.error({ err: settleError }, "could not record the render's outcome");
      throw settleError;
    }
    // Not final: fail the queue message so pg-boss retries it after its delay. Final: the job is
    // failed for good, so the message completes (the dead-letter queue is for unsettled jobs).
    if (!stop && !final) throw error;
  }

  async function deadLettered(message: JobWithMetadata<unknown>): Promise<void> {
    const parsed = renderJobPayload.safeParse(message.data);
    if (!parsed.success) return;
    const jobId = parsed.data.jobId;
    if (await settling("dead-letter", log.child({ jobId }), () => markDeadLettered(db, jobId))) {
      log.warn({ jobId: parsed.data.jobId }, "render dead-lettered: marked failed");
    }
  }

  // Work ids, so stop() stops this worker's loops only (another worker may share the pg-boss).
  const renderWorkId = await boss.work<unknown, unknown, WithMetadata>(
    RENDER_QUEUE,
    {
      includeMetadata: true,
      batchSize: 1,
      localConcurrency: concurrency,
      // New jobs wake the worker through NOTIFY; retries (which no NOTIFY announces) and missed
      // notifications wait for this poll, so it is kept short rather than pg-boss's 30 s.
      pollingIntervalSeconds: pollSeconds,
      notifyPollingIntervalSeconds: pollSeconds,
      // A heartbeat at most this old when a worker dies: its job is failed over that much sooner.
      heartbeatRefreshSeconds: RENDER_HEARTBEAT_REFRESH_SECONDS,
    },
    async ([message]) => {
      if (message) await render(message);
    },
  );
  const deadWorkId = await boss.work<unknown, unknown, WithMetadata>(
    RENDER_DEAD_LETTER_QUEUE,
    {
      includeMetadata: true,
      batchSize: 1,
      pollingIntervalSeconds: pollSeconds,
      notifyPollingIntervalSeconds: pollSeconds,
    },
    async ([message]) => {
      if (message) await deadLettered(message);
    },
  );
  // The hourly storage sweep (pg-boss's cron sends it; one runs at a time across workers).
  const sweepPoll = { pollingIntervalSeconds: 30, notifyPollingIntervalSeconds: 30 };
  const sweepWorkId = await boss.work(STORAGE_SWEEP_QUEUE, sweepPoll, async () => {
    await sweepStorage({ db, storage, log });
  });
  log.info({ concurrency }, "worker started");

  async function doStop(graceSeconds: number): Promise<void> {
    stopping = true;
    log.info({ graceSeconds, active: active.size }, "worker stopping");
    // Stop fetching at once; these resolve when the handlers in hand have returned.
    const drained = Promise.all([
      boss.offWork(RENDER_QUEUE, { id: renderWorkId, wait: true }),
      boss.offWork(RENDER_DEAD_LETTER_QUEUE, { id: deadWorkId, wait: true }),
      boss.offWork(STORAGE_SWEEP_QUEUE, { id: sweepWorkId, wait: true }),
    ]);
    if (!(await settlesWithin(drained, graceSeconds * 1000))) {
      log.warn({ active: [...active.keys()] }, "grace period over: handing renders back");
      for (const run of active.values()) run.controller.abort(new RenderStopped("shutdown"));
      if (!(await settlesWithin(drained, ABORT_SETTLE_MS))) {
        // pg-boss's own stop fails what is left, so the queue retries it elsewhere.
        log.error({ active: [...active.keys()] }, "renders did not stop after abort");
      }
    }
    await cancelListener.close();
    log.info("worker stopped");
  }

  return {
    stop(graceSeconds) {
      stopPromise ??= doStop(graceSeconds);
      return stopPromise;
    },
    activeJobIds() {
      return [...active.keys()];
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
