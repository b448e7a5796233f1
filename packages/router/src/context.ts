import { DEFAULT_MAX_DI_SECONDS } from "@shootout/config";
import type { DB } from "@shootout/db";
import type { JobEventHub, JobQueue } from "@shootout/jobs";
import type { Storage } from "@shootout/storage";
import type { Tone3000Client } from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { type Logger, pino } from "pino";
import type { SessionValidationResult } from "./domain/sessions.ts";
import { DEFAULT_SESSION_TTL_MS } from "./domain/sessions.ts";

/** Builds a Tone 3000 API client acting for one of our users (their tokens stay server-side). */
export type Tone3000ClientFactory = (userId: string) => Tone3000Client | Promise<Tone3000Client>;

export interface Context {
  readonly db: Kysely<DB>;
  /**
   * The raw session token the caller presented (cookie or bearer), or null. Kept on the context so
   * every call re-validates it: a WebSocket builds its context once per connection, and a session
   * revoked mid-connection must stop working on the next call.
   */
  readonly sessionToken: string | null;
  /**
   * Who is calling, as validated for THIS call. `createContextInner` leaves it null; the base
   * middleware of every procedure fills it from `sessionToken`.
   */
  readonly auth: SessionValidationResult | null;
  /**
   * The session as the transport validated it once for a whole short request (an HTTP batch), or
   * undefined: every call validates `sessionToken` itself (WebSocket, createCaller).
   */
  readonly requestAuth: SessionValidationResult | null | undefined;
  readonly log: Logger;
  readonly storage: Storage;
  readonly jobQueue: JobQueue;
  readonly tone3000: Tone3000ClientFactory | null;
  readonly requestId: string;
  readonly clientIp: string | null;
  /** Sliding session lifetime (SESSION_TTL_DAYS). */
  readonly sessionTtlMs: number;
  /**
   * How stale a live subscription's view of its session may get: before passing on an event, a
   * stream older than this since its last check validates the session again and ends (401) if it
   * was signed out or revoked meanwhile.
   */
  readonly sessionRecheckMs: number;
  /**
   * Consulted once per procedure call, after the caller is known, with `user:<id>` or
   * `ip:<addr>`; throws (TOO_MANY_REQUESTS) when that budget is spent. The API supplies it
   * (one HTTP batch is many calls, so it cannot be done per request); null: no limit.
   */
  readonly limitCall: ((key: string) => void | Promise<void>) | null;
  /** The process's job event hub (live progress subscriptions); null where none runs. */
  readonly events: JobEventHub | null;
  /** What this deployment can render; `video: false` (no ffmpeg) refuses MP4 jobs at jobs.create. */
  readonly capabilities: RenderCapabilities;
  /**
   * Error answers may carry stack traces and internal messages (SHOOTOUT_DEBUG): for a developer
   * at their own machine only. Off, an internal error answers a generic message and request id.
   */
  readonly debug: boolean;
}

export interface RenderCapabilities {
  readonly video: boolean;
  /** Longest DI (seconds) a shootout may use (MAX_DI_SECONDS); shootouts.create/update refuse longer. */
  readonly maxDiSeconds: number;
}

export interface CreateContextOptions {
  db: Kysely<DB>;
  storage: Storage;
  jobQueue: JobQueue;
  sessionToken?: string | null;
  /** See Context.requestAuth. */
  requestAuth?: SessionValidationResult | null;
  log?: Logger;
  tone3000?: Tone3000ClientFactory | null;
  requestId?: string;
  clientIp?: string | null;
  sessionTtlMs?: number;
  /** Default 30 s (see Context.sessionRecheckMs). */
  sessionRecheckMs?: number;
  limitCall?: ((key: string) => void | Promise<void>) | null;
  events?: JobEventHub | null;
  /** Default: everything available (the API fills it from `hasFfmpeg()`). */
  capabilities?: Partial<RenderCapabilities>;
  /** Default false (see Context.debug). */
  debug?: boolean;
}

const silentLogger = pino({ level: "silent" });

/**
 * A context without any HTTP request: for tests, scripts and `createCaller`. The API's HTTP and
 * WebSocket contexts are this plus what they read from the request (token, IP, request id).
 */
export function createContextInner(opts: CreateContextOptions): Context {
  const requestId = opts.requestId ?? crypto.randomUUID();
  return {
    db: opts.db,
    sessionToken: opts.sessionToken ?? null,
    auth: null,
    requestAuth: opts.requestAuth,
    log: (opts.log ?? silentLogger).child({ requestId }),
    storage: opts.storage,
    jobQueue: opts.jobQueue,
    tone3000: opts.tone3000 ?? null,
    requestId,
    clientIp: opts.clientIp ?? null,
    sessionTtlMs: opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    sessionRecheckMs: opts.sessionRecheckMs ?? 30_000,
    limitCall: opts.limitCall ?? null,
    events: opts.events ?? null,
    capabilities: { video: true, maxDiSeconds: DEFAULT_MAX_DI_SECONDS, ...opts.capabilities },
    debug: opts.debug ?? false,
  };
}
