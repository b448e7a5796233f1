import { DatabaseUnavailableError } from "@shootout/db";
import { JobError } from "@shootout/jobs";
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "./context.ts";
import { DomainError, InvalidReferenceError } from "./domain/errors.ts";
import { type SessionValidationResult, validateSessionToken } from "./domain/sessions.ts";
import { formatError } from "./error-shape.ts";

export type { ZodErrorData } from "./error-shape.ts";

/**
 * SSE subscriptions over a path that went silent: the server sends a ping comment every 5 s, and
 * tRPC's httpSubscriptionLink (told these settings when the stream opens) reconnects after 12 s
 * without a byte, resuming with its last event id, as the WebSocket clients do within ~10 s.
 */
export const SSE_KEEP_ALIVE = {
  ping: { enabled: true, intervalMs: 5_000 },
  client: { reconnectAfterInactivityMs: 12_000 },
} as const;

const t = initTRPC.context<Context>().create({
  // Explicitly off: tRPC's default follows NODE_ENV, and `./shootout start` runs as development,
  // so every error answer carried a stack (and internal errors their database message). Whether
  // an answer may show those is the context's `debug` (SHOOTOUT_DEBUG), decided in formatError.
  isDev: false,
  errorFormatter: formatError,
  sse: SSE_KEEP_ALIVE,
});

/**
 * Domain functions throw plain errors (they are shared with the API's HTTP routes and the
 * worker); this turns them into tRPC errors with the right code, in one place.
 */
function toTRPCError(cause: unknown): TRPCError | null {
  if (cause instanceof InvalidReferenceError) {
    // Shaped like an input-validation error, so clients handle both the same way. ZodRealError:
    // the Error subclass zod throws from parse (a plain ZodError would not survive as a cause).
    const issues = new z.ZodRealError([
      { code: "custom", path: cause.path, message: cause.message, input: undefined },
    ]);
    return new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause: issues });
  }
  if (cause instanceof DomainError || cause instanceof JobError) {
    return new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  // Not a bug: the database is restarting or out of reach, and the same call works once it is back.
  if (cause instanceof DatabaseUnavailableError) {
    return new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is unavailable right now; try again in a few seconds.",
      cause,
    });
  }
  return null;
}

/**
 * A failed call's domain error (from the procedure or a later middleware) as its tRPC error; for a
 * subscription, also one its stream throws later (a back-fill query while the database is away).
 */
function mapDomainErrors<R extends { ok: boolean; error?: { cause?: unknown }; data?: unknown }>(
  result: R,
): R {
  if (!result.ok) {
    const mapped = toTRPCError(result.error?.cause);
    if (mapped) throw mapped;
  }
  if (result.ok && isAsyncIterable(result.data)) return { ...result, data: mapStreamErrors(result.data) };
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

// yield* hands the consumer's return() (an unsubscribe) on to the stream.
async function* mapStreamErrors(stream: AsyncIterable<unknown>): AsyncGenerator<unknown, void, undefined> {
  try {
    yield* stream;
  } catch (error) {
    throw toTRPCError(error) ?? error;
  }
}

/**
 * Every call validates the session token afresh (a WebSocket context is built once per
 * connection, and a revoked or expired session must stop working on the very next call), unless
 * the transport validated it for this one short request already (an HTTP batch: one lookup).
 */
async function resolveAuth(ctx: Context): Promise<SessionValidationResult | null> {
  const auth =
    ctx.requestAuth !== undefined
      ? ctx.requestAuth
      : ctx.sessionToken
        ? await validateSessionToken(ctx.db, ctx.sessionToken, { ttlMs: ctx.sessionTtlMs }).catch(
            (error: unknown) => {
              throw toTRPCError(error) ?? error;
            },
          )
        : null;
  // Per call, not per request: a batch of 20 spends 20. Keyed by user once known, else by IP.
  await ctx.limitCall?.(auth ? `user:${auth.user.id}` : `ip:${ctx.clientIp ?? "unknown"}`);
  return auth;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

// One middleware per procedure kind (auth, rate limit, error mapping together): every middleware
// level costs tRPC a few copies of the options and context on every call.

/** Anyone, signed in or not; `ctx.auth` is the caller when they are. */
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  const auth = await resolveAuth(ctx);
  return mapDomainErrors(await next({ ctx: { auth } }));
});

/** Signed-in callers only; `ctx.auth` is non-null. */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const auth = await resolveAuth(ctx);
  if (!auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  return mapDomainErrors(await next({ ctx: { auth } }));
});
