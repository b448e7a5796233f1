import { DomainError } from "@shootout/router";
import { HttpError, sendError } from "../http/errors.ts";
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
    if (clientWentAway(req)) {
      // Cut off mid-request (an upload the client stopped): nobody is left to answer, and
      // nothing failed here. What the handler had stored is cleaned up by its own error path.
      log.info({ err: cause }, "client went away mid-request");
      res.destroy();
      return;
    }
    const error = toHttpError(cause, log);
    // An unread request body is not worth draining: answer, then drop the connection.
    if (!req.complete) res.setHeader("connection", "close");
    sendError(res, error);
  }
}

/** The request's connection was reset or closed before its body had all arrived. */
function clientWentAway(req: RouteRequest["req"]): boolean {
  return req.destroyed && !req.complete;
}

function toHttpError(cause: unknown, log: Logger): HttpError {
  if (cause instanceof HttpError) return cause;
  if (cause instanceof DomainError) return new HttpError(DOMAIN_TO_HTTP[cause.code], cause.message);
  log.error({ err: cause }, "route failed");
  return new HttpError("INTERNAL_SERVER_ERROR", "internal error");
}
