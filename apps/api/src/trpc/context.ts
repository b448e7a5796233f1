import type { IncomingMessage, ServerResponse } from "node:http";
import { DatabaseUnavailableError } from "@shootout/db";
import {
  CallSetupError,
  type Context,
  type CreateContextOptions,
  createContextInner,
  DEFAULT_SESSION_TTL_MS,
} from "@shootout/router";
import { TRPCError } from "@trpc/server";
import type { TRPCRequestInfo } from "@trpc/server/http";
import type { WebSocket } from "ws";
import { z } from "zod";
import { clientIpOf } from "../http/client-ip.ts";
import { databaseUnavailable } from "../http/errors.ts";
import { requestIdOf } from "../http/request-id.ts";
import { ForeignCookieError, requestSession } from "../http/request-session.ts";
import type { SessionCookiePolicy } from "../http/session-cookie.ts";
import { sessionTokenOf } from "../http/session-token.ts";
import type { Logger } from "../logger.ts";
import type { SharedRateLimiter } from "../shared-rate-limiter.ts";
import { callRateLimit } from "./call-rate-limit.ts";

/** What every context shares: the router's inner options minus what each request supplies. */
export type SharedContextOptions = Omit<
  CreateContextOptions,
  "sessionToken" | "requestId" | "clientIp" | "log"
>;

export interface ContextDeps {
  readonly shared: SharedContextOptions;
  readonly log: Logger;
  readonly limiter: SharedRateLimiter;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly trustProxy: boolean;
  readonly cookiePolicy: SessionCookiePolicy;
}

// wsLink's `connectionParams` arrive as arbitrary JSON from the client: only a string token counts.
const wsConnectionParams = z
  .object({ token: z.string().min(1).max(512).optional() })
  .loose()
  .nullable();

/**
 * The tRPC context of one HTTP request (one batch): the router's inner context plus the request.
 * The session is validated here, once for the batch, before any answer starts (a streamed batch
 * sends its headers early), so a renewed session cookie can still go out with the response.
 */
export async function createHttpContext(
  deps: ContextDeps,
  opts: { req: IncomingMessage; res: ServerResponse; info: TRPCRequestInfo },
): Promise<Context> {
  const { req, res } = opts;
  const requestId = res.getHeader("x-request-id")?.toString() ?? requestIdOf(req);
  const { token, auth } = await requestSession(req, res, {
    db: deps.shared.db,
    allowedOrigins: deps.allowedOrigins,
    sessionTtlMs: deps.shared.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    cookiePolicy: deps.cookiePolicy,
  }).catch((error: unknown) => {
    if (error instanceof ForeignCookieError)
      throw new TRPCError({ code: "FORBIDDEN", message: error.message });
    if (error instanceof TRPCError) throw error;
    // The session lookup is the first query of every request: a database away is a 503 here too.
    if (error instanceof DatabaseUnavailableError) {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: databaseUnavailable().message,
        cause: error,
      });
    }
    // No context yet, so the answer and the log line would not know the request: the error keeps it.
    throw new CallSetupError(requestId, error, { debug: deps.shared.debug ?? false });
  });
  return createContextInner({
    ...deps.shared,
    sessionToken: token,
    requestAuth: auth,
    requestId,
    clientIp: clientIpOf(req, deps.trustProxy),
    log: deps.log,
    limitCall: callRateLimit(deps.limiter, (retryAfter) => {
      // A streamed batch has already sent its headers; its 429s travel in each call's error instead.
      if (!res.headersSent) res.setHeader("retry-after", String(retryAfter));
    }),
  });
}

/**
 * The context of one WebSocket connection: built once, after wsLink's `connectionParams` arrive.
 * The token comes from `connectionParams.token`, else the upgrade request's cookie. The router
 * re-validates it on every call, so a session revoked mid-socket stops working on the next call.
 */
export function createWsContext(
  deps: ContextDeps,
  opts: { req: IncomingMessage; res: WebSocket; info: TRPCRequestInfo },
): Context {
  const params = wsConnectionParams.safeParse(opts.info.connectionParams);
  const token =
    (params.success ? params.data?.token : undefined) ?? sessionTokenOf(opts.req, deps.allowedOrigins);
  return createContextInner({
    ...deps.shared,
    sessionToken: token,
    requestId: requestIdOf(opts.req),
    clientIp: clientIpOf(opts.req, deps.trustProxy),
    log: deps.log.child({ transport: "ws" }),
    limitCall: callRateLimit(deps.limiter),
  });
}
