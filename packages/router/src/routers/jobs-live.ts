import type { DB } from "@shootout/db";
import {
  FINAL_STATUSES,
  type JobEventHub,
  type JobEventNotice,
  type JobStatus,
  listJobEvents,
} from "@shootout/jobs";
import { TRPCError, tracked } from "@trpc/server";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Context } from "../context.ts";
import { JobEventInbox } from "../domain/job-event-inbox.ts";
import { getOwnedJob } from "../domain/jobs.ts";
import { validateSessionToken } from "../domain/sessions.ts";
import { protectedProcedure } from "../trpc.ts";

/** One progress event as clients receive it. */
export interface JobProgressEvent {
  jobId: string;
  seq: number;
  status: JobStatus;
  progress: number;
  message: string;
  at: string;
}

export const onProgressInput = z.object({
  jobId: z.uuid(),
  /** The id of the last event received (wsLink and httpSubscriptionLink send it on reconnect). */
  lastEventId: z
    .string()
    .regex(/^\d{1,9}$/)
    .nullish(),
});

const BACKFILL_PAGE = 500;

const isFinal = (status: JobStatus | null) => status !== null && FINAL_STATUSES.includes(status);

function toEvent(e: JobEventNotice): JobProgressEvent {
  return { jobId: e.jobId, seq: e.seq, status: e.status, progress: e.progress, message: e.message, at: e.at };
}

/**
 * What a live stream needs to check its session again: the token and lifetimes, not the call's
 * context (which carries the caller's session and user rows: ~1 KB that every idle subscription
 * would keep alive).
 */
interface SessionRef {
  readonly token: string | null;
  readonly userId: string;
  readonly ttlMs: number;
  readonly recheckMs: number;
}

const sessionRefOf = (ctx: Context & { auth: { user: { id: string } } }): SessionRef => ({
  token: ctx.sessionToken,
  userId: ctx.auth.user.id,
  ttlMs: ctx.sessionTtlMs,
  recheckMs: ctx.sessionRecheckMs,
});

/**
 * Ends a live stream (401) whose session was signed out or revoked after it began: checked before
 * passing on an event once `recheckMs` have gone by since `checkedAt` (so a busy stream costs one
 * lookup per interval, an idle one none, and nothing reaches a revoked session later than that).
 * Returns when it was last checked.
 */
async function recheckSession(db: Kysely<DB>, session: SessionRef, checkedAt: number): Promise<number> {
  if (Date.now() - checkedAt < session.recheckMs) return checkedAt;
  const auth = session.token ? await validateSessionToken(db, session.token, { ttlMs: session.ttlMs }) : null;
  if (auth?.user.id !== session.userId) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "the session ended (signed out or revoked)" });
  }
  return Date.now();
}

function hubOf(ctx: Context): JobEventHub {
  if (!ctx.events) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: "live job progress is not available here" });
  }
  return ctx.events;
}

interface Missed {
  events: JobProgressEvent[];
  /** Status of the newest event at or after `lastSeq` (null: none). */
  lastStatus: JobStatus | null;
}

/**
 * The events after `lastSeq`, read from lastSeq itself: the event already delivered tells the
 * status the client last saw. Paged, so a long history never loads at once.
 */
async function missedEvents(db: Kysely<DB>, jobId: string, lastSeq: number): Promise<Missed> {
  const events: JobProgressEvent[] = [];
  let lastStatus: JobStatus | null = null;
  let after = Math.max(0, lastSeq - 1);
  for (;;) {
    const page = await listJobEvents(db, jobId, after, BACKFILL_PAGE);
    for (const event of page) {
      lastStatus = event.status;
      // The subscription's own jobId string, not one copy per row.
      if (event.seq > lastSeq) events.push({ ...toEvent(event), jobId });
    }
    if (page.length < BACKFILL_PAGE) return { events, lastStatus };
    after = page.at(-1)!.seq;
  }
}

/**
 * One job's events for one subscriber: subscribe to the hub first, then back-fill from the table
 * after `fromSeq` (so an event committed in between is not lost; the seq check drops the copy
 * that arrives both ways), then live events, until the job is final or the client goes away.
 * Back-filling again whenever notices were missed (listener reconnected, inbox overflowed, a gap
 * in seq). Written as one flat loop: it is what every idle subscription keeps in memory.
 */
async function* progressStream(
  db: Kysely<DB>,
  hub: JobEventHub,
  jobId: string,
  fromSeq: number,
  session: SessionRef,
  signal: AbortSignal,
) {
  const inbox = new JobEventInbox(signal);
  const unsubscribe = hub.subscribe({ jobId }, (message) => inbox.push(message));
  try {
    let lastSeq = fromSeq;
    let lastStatus: JobStatus | null = null;
    let backfill = true;
    let checkedAt = Date.now();
    for (;;) {
      if (backfill) {
        backfill = false;
        // Held in a variable cleared after use: a suspended generator keeps its locals alive.
        let missed: Missed | null = await missedEvents(db, jobId, lastSeq);
        lastStatus = missed.lastStatus ?? lastStatus;
        for (let i = 0; i < missed.events.length; i++) {
          const event: JobProgressEvent = missed.events[i]!;
          lastSeq = event.seq;
          checkedAt = await recheckSession(db, session, checkedAt);
          yield tracked(String(event.seq), event);
        }
        missed = null;
        if (isFinal(lastStatus)) return;
      }
      const message = await inbox.next();
      if (!message) return;
      if (message.type === "resync" || message.event.seq > lastSeq + 1) {
        backfill = true;
        continue;
      }
      const { event } = message;
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      lastStatus = event.status;
      checkedAt = await recheckSession(db, session, checkedAt);
      yield tracked(String(event.seq), toEvent(event));
      if (isFinal(lastStatus)) return;
    }
  } finally {
    unsubscribe();
  }
}

/** Status changes of one owner's jobs, from the moment of subscribing. */
async function* statusStream(db: Kysely<DB>, hub: JobEventHub, session: SessionRef, signal: AbortSignal) {
  const ownerId = session.userId;
  const inbox = new JobEventInbox(signal);
  const unsubscribe = hub.subscribe({ ownerId }, (message) => inbox.push(message));
  const since = new Date();
  const known = new Map<string, JobStatus>();
  let checkedAt = Date.now();
  try {
    for (;;) {
      const message = await inbox.next();
      if (!message) return;
      const events =
        message.type === "event" ? [toEvent(message.event)] : await changedSince(db, ownerId, since);
      for (const event of events) {
        if (known.get(event.jobId) === event.status) continue;
        known.set(event.jobId, event.status);
        checkedAt = await recheckSession(db, session, checkedAt);
        yield event;
      }
    }
  } finally {
    unsubscribe();
  }
}

// A never-aborted signal for callers that pass none (createCaller without a signal).
const NEVER = new AbortController().signal;

// The resolvers check access before returning the stream, so a refusal (NOT_FOUND) goes through
// the router's error mapping and reaches the client as the subscription's error at once.
export const jobsLiveProcedures = {
  /**
   * Live progress of one of the caller's jobs, each event tracked by its seq: a client that
   * reconnects with its last id gets every event after it exactly once, in order. Ends when the
   * job reaches a final state (completed, failed, cancelled).
   */
  onProgress: protectedProcedure.input(onProgressInput).subscription(async ({ ctx, input, signal }) => {
    const hub = hubOf(ctx);
    await getOwnedJob(ctx.db, ctx.auth.user.id, input.jobId);
    const fromSeq = input.lastEventId ? Number(input.lastEventId) : 0;
    return progressStream(ctx.db, hub, input.jobId, fromSeq, sessionRefOf(ctx), signal ?? NEVER);
  }),

  /**
   * Status changes of all the caller's jobs (a job list's live badges), from now on: each job's
   * first event seen, then one per change of status, not per progress tick. After a lost listener
   * it re-reads the jobs that changed since the subscription began.
   */
  onMine: protectedProcedure.subscription(async ({ ctx, signal }) => {
    const hub = hubOf(ctx);
    return statusStream(ctx.db, hub, sessionRefOf(ctx), signal ?? NEVER);
  }),
};

/** The caller's jobs touched since `since`, each as its latest event. */
async function changedSince(db: Kysely<DB>, ownerId: string, since: Date): Promise<JobProgressEvent[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "status", "progress", "message", "updatedAt"])
    .select(sql<number>`(select coalesce(max(seq), 0) from job_events where job_id = jobs.id)`.as("seq"))
    .where("ownerId", "=", ownerId)
    .where("updatedAt", ">=", since)
    .orderBy("updatedAt")
    .execute();
  return rows.map((r) => ({
    jobId: r.id,
    seq: Number(r.seq),
    status: r.status,
    progress: r.progress,
    message: r.message,
    at: new Date(r.updatedAt).toISOString(),
  }));
}
