import { DatabaseUnavailableError } from "@shootout/db";
import { DomainError } from "@shootout/router";
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

/** Runs the matching plain route; every failure becomes `{ error: { code, message } }`. */
export async function dispatchRoute(
  table: ReturnType<typeof createRouteTable>,
  request: Omit<RouteRequest, "params">,
): Promise<void> {
  const { req, res, url, log } = request;
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
    const error = toHttpError(cause, log);
    // An unread request body is not worth draining: answer, then drop the connection.
    if (!req.complete) res.setHeader("connection", "close");
    sendError(res, error);
  }
}

function toHttpError(cause: unknown, log: Logger): HttpError {
  if (cause instanceof HttpError) return cause;
  if (cause instanceof DomainError) return new HttpError(DOMAIN_TO_HTTP[cause.code], cause.message);
  if (cause instanceof DatabaseUnavailableError) {
    log.warn({ err: cause }, "route refused: database unavailable");
    return databaseUnavailable();
  }
  log.error({ err: cause }, "route failed");
  return new HttpError("INTERNAL_SERVER_ERROR", "internal error");
}
