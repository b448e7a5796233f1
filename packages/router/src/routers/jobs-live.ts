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

/**
 * How far before its cursor a resumed onMine looks again: a job's change is stamped with its
 * transaction's start time, so one that began earlier may commit (and notify) after a later one
 * the client already saw. A change seen twice is harmless (it is a status); one missed is not.
 */
const RESUME_OVERLAP_MS = 10_000;

// The ids onMine hands out are times of job changes: none before this, none past the year 9999.
const EARLIEST_RESUME_MS = Date.UTC(2000, 0, 1);
const LATEST_RESUME_MS = Date.UTC(9999, 11, 31);

/**
 * onMine's resume point, parsed into the instant it names (so the look-back and the query get a
 * real date, never one that Postgres refuses inside the stream). A time outside the years our
 * rows live in was not handed out by us: a BAD_REQUEST naming the field, before the stream starts.
 */
const resumeTime = z.iso
  .datetime()
  .transform((text) => new Date(text))
  .refine(
    (at) => at.getTime() >= EARLIEST_RESUME_MS && at.getTime() <= LATEST_RESUME_MS,
    "must be a time given by a previous event (2000 to 9999)",
  );

export const onMineInput = z
  .object({
    /** The id of the last event received: when the client last saw a change (ISO time). */
    lastEventId: resumeTime.nullish(),
  })
  .optional();

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

/**
 * Status changes of one owner's jobs: subscribe to the hub first, then (when resuming from a
 * cursor) the jobs changed since it, then live events. Each event is tracked by the newest change
 * time seen so far, so a client that reconnects with it gets what changed while it was away.
 */
async function* statusStream(
  db: Kysely<DB>,
  hub: JobEventHub,
  session: SessionRef,
  signal: AbortSignal,
  resumeFrom: Date | null,
) {
  const ownerId = session.userId;
  const inbox = new JobEventInbox(signal);
  const unsubscribe = hub.subscribe({ ownerId }, (message) => inbox.push(message));
  const since = new Date((resumeFrom?.getTime() ?? Date.now()) - RESUME_OVERLAP_MS);
  const known = new Map<string, { seq: number; status: JobStatus }>();
  let cursor = resumeFrom?.getTime() ?? 0;
  let checkedAt = Date.now();
  let backfill = resumeFrom !== null;
  try {
    for (;;) {
      let events: JobProgressEvent[] | null;
      if (backfill) {
        backfill = false;
        events = await changedSince(db, ownerId, since);
      } else {
        const message = await inbox.next();
        if (!message) return;
        if (message.type === "resync") {
          backfill = true;
          continue;
        }
        events = [toEvent(message.event)];
      }
      for (let i = 0; i < events.length; i++) {
        const event: JobProgressEvent = events[i]!;
        // By seq, not arrival: a live notice queued while the table was read may be older.
        const seen = known.get(event.jobId);
        if (seen && event.seq <= seen.seq) continue;
        known.set(event.jobId, { seq: event.seq, status: event.status });
        if (seen?.status === event.status) continue;
        cursor = Math.max(cursor, Date.parse(event.at));
        checkedAt = await recheckSession(db, session, checkedAt);
        yield tracked(new Date(cursor).toISOString(), event);
      }
      events = null;
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
   * it re-reads the jobs that changed since the subscription began. Tracked: a client that
   * reconnects with its last event id first gets the latest status of every job of theirs that
   * changed since (at least once: a change near the cursor may come again).
   */
  onMine: protectedProcedure.input(onMineInput).subscription(async ({ ctx, input, signal }) => {
    const hub = hubOf(ctx);
    const resumeFrom = input?.lastEventId ?? null;
    return statusStream(ctx.db, hub, sessionRefOf(ctx), signal ?? NEVER, resumeFrom);
  }),
};

interface PageKey {
  updatedAt: string;
  id: string;
}

/**
 * The caller's jobs touched since `since`, each as its latest event, oldest change first. Paged
 * on (updated_at, id), the page key kept as microsecond text: a Date would round it and repeat
 * rows changed in the same millisecond.
 */
async function changedSince(db: Kysely<DB>, ownerId: string, since: Date): Promise<JobProgressEvent[]> {
  const events: JobProgressEvent[] = [];
  let after: PageKey | null = null;
  for (;;) {
    const key: PageKey | null = after;
    const rows = await db
      .selectFrom("jobs")
      .select(["id", "status", "progress", "message", "updatedAt"])
      .select(sql<number>`(select coalesce(max(seq), 0) from job_events where job_id = jobs.id)`.as("seq"))
      .select(
        sql<string>`to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("pageKey"),
      )
      .where("ownerId", "=", ownerId)
      .where("updatedAt", ">=", since)
      .$if(key !== null, (q) =>
        q.where(sql<boolean>`(updated_at, id) > (${key!.updatedAt}::timestamptz, ${key!.id}::uuid)`),
      )
      .orderBy("updatedAt")
      .orderBy("id")
      .limit(BACKFILL_PAGE)
      .execute();
    for (const r of rows) {
      events.push({
        jobId: r.id,
        seq: Number(r.seq),
        status: r.status,
        progress: r.progress,
        message: r.message,
        at: new Date(r.updatedAt).toISOString(),
      });
    }
    const last: { id: string; pageKey: string } | undefined = rows.at(-1);
    if (rows.length < BACKFILL_PAGE || !last) return events;
    after = { updatedAt: last.pageKey, id: last.id };
  }
}
