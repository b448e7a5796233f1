import { DatabaseUnavailableError } from "@shootout/db";
import { DomainError, internalErrorMessage } from "@shootout/router";
import { databaseUnavailable, HttpError, sendError } from "../http/errors.ts";
import type { Logger } from "../logger.ts";
import type { RouteRequest } from "./route.ts";
import type { createRouteTable } from "./route-table.ts";

const DOMAIN_TO_HTTP = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  BAD_REQUEST: "BAD_REQUEST",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
} as const;

/**
 * Runs the matching plain route; every failure becomes `{ error: { code, message } }`. An
 * unexpected one answers a generic message naming the request id, which its log line carries
 * with the real error; its message and stack go out only with `debug` (SHOOTOUT_DEBUG).
 */
export async function dispatchRoute(
  table: ReturnType<typeof createRouteTable>,
  request: Omit<RouteRequest, "params">,
  options: { readonly debug: boolean } = { debug: false },
): Promise<void> {
  const { req, res, url } = request;
  const match = table.match(req.method ?? "GET", url.pathname);
  try {
    if (match.kind === "not_found") throw new HttpError("NOT_FOUND", `no route for ${url.pathname}`);
    if (match.kind === "method_not_allowed") {
      throw new HttpError("METHOD_NOT_ALLOWED", `${req.method} not allowed here`, {
        allow: match.allow.join(", "),
      });
    }
    await match.route.handle({ ...request, params: match.params });
  } catch (cause) {
    if (clientWentAway(req)) {
      // Cut off mid-request (an upload the client stopped): nobody is left to answer, and
      // nothing failed here. What the handler had stored is cleaned up by its own error path.
      request.log.info({ err: cause }, "client went away mid-request");
      res.destroy();
      return;
    }
    const error = toHttpError(cause, request, options.debug);
    // An unread request body is not worth draining: answer, then drop the connection.
    if (!req.complete) res.setHeader("connection", "close");
    sendError(res, error);
  }
}

/** The request's connection was reset or closed before its body had all arrived. */
function clientWentAway(req: RouteRequest["req"]): boolean {
  return req.destroyed && !req.complete;
}

function toHttpError(cause: unknown, request: { log: Logger; requestId: string }, debug: boolean): HttpError {
  if (cause instanceof HttpError) return cause;
  if (cause instanceof DomainError) return new HttpError(DOMAIN_TO_HTTP[cause.code], cause.message);
  if (cause instanceof DatabaseUnavailableError) {
    request.log.warn({ err: cause }, "route refused: database unavailable");
    return databaseUnavailable();
  }
  request.log.error({ err: cause }, "route failed");
  const details: Record<string, string> =
    debug && cause instanceof Error ? { stack: cause.stack ?? cause.message } : {};
  return new HttpError("INTERNAL_SERVER_ERROR", internalErrorMessage(request.requestId), {}, details);
}
