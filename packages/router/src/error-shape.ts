import { type TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "./context.ts";

/** Flattened zod issues (`z.flattenError`): what a form needs to put a message beside each field. */
export interface ZodErrorData {
  formErrors: string[];
  fieldErrors: Partial<Record<string, string[]>>;
}

/**
 * A failure before a call had its context (building it threw: the session lookup, say). It keeps
 * what the context would have told the formatter (the request's id, whether to debug), so the
 * answer and the log line can still name the request.
 */
export class CallSetupError extends TRPCError {
  readonly requestId: string;
  readonly debug: boolean;
  constructor(requestId: string, cause: unknown, options: { debug?: boolean } = {}) {
    super({ code: "INTERNAL_SERVER_ERROR", message: "the call could not be set up", cause });
    this.name = "CallSetupError";
    this.requestId = requestId;
    this.debug = options.debug ?? false;
  }
}

/** The id of the request an error belongs to, when known: what a log line and an answer share. */
export function requestIdOf(error: unknown, ctx: Pick<Context, "requestId"> | undefined): string | null {
  return ctx?.requestId ?? (error instanceof CallSetupError ? error.requestId : null);
}

/** What a client is told of an internal error: nothing of it, only where to look in the logs. */
export function internalErrorMessage(requestId: string | null): string {
  return requestId ? `internal error (request id ${requestId})` : "internal error";
}

/**
 * Every error answer of the router, over HTTP, WebSocket and SSE alike (tRPC formats errors
 * inside subscription streams with this too). No stack trace and no internal message leaves the
 * server unless the context says `debug` (SHOOTOUT_DEBUG): an INTERNAL_SERVER_ERROR's message may
 * be a database's or a path, so it becomes a generic one naming the request id, which the API's
 * log line for the same error carries. Only a BAD_REQUEST caused by validation carries issues:
 * output-validation failures are INTERNAL_SERVER_ERROR and must not describe server data.
 */
export function formatError(opts: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
  ctx: Pick<Context, "requestId" | "debug"> | undefined;
}) {
  const { shape, error, ctx } = opts;
  const debug = ctx ? ctx.debug : error instanceof CallSetupError && error.debug;
  const requestId = requestIdOf(error, ctx);
  const zodError: ZodErrorData | null =
    error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
  // The default shape has a stack only under isDev, which the router turns off; rebuilt here
  // without one whatever tRPC put there, and added back only for a developer who asked.
  const { stack: _stack, ...data } = shape.data;
  const internal = error.code === "INTERNAL_SERVER_ERROR";
  return {
    ...shape,
    message: internal && !debug ? internalErrorMessage(requestId) : shape.message,
    data: {
      ...data,
      zodError,
      requestId,
      ...(debug && error.stack ? { stack: debugStack(error) } : {}),
    },
  };
}

/** The error's stack and its causes' (a TRPCError wrapping a database error shows both). */
function debugStack(error: Error): string {
  const parts = [error.stack ?? String(error)];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    parts.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return parts.join("\n");
}
