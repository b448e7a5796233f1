import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Env } from "@shootout/config";
import type { Database } from "@shootout/db";
import { type AppRouter, appRouter, requestIdOf as requestIdOfError } from "@shootout/router";
import type { Storage } from "@shootout/storage";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import { clientIpOf } from "./http/client-ip.ts";
import { allowedOriginsFrom, applyCors } from "./http/cors.ts";
import { DATABASE_RETRY_AFTER_SECONDS } from "./http/errors.ts";
import { requestIdOf } from "./http/request-id.ts";
import { routeRateLimit } from "./http/route-rate-limit.ts";
import { clearSessionCookies, sessionCookiePolicy } from "./http/session-cookie.ts";
import { type ApiLimits, limitsFromEnv } from "./limits.ts";
import type { Logger } from "./logger.ts";
import { dispatchRoute } from "./routes/dispatch.ts";
import { downloadRoutes } from "./routes/download-route.ts";
import { healthRoutes } from "./routes/health-routes.ts";
import type { Route } from "./routes/route.ts";
import { createRouteTable } from "./routes/route-table.ts";
import { uploadRoutes } from "./routes/upload-route.ts";
import { createSharedRateLimiter } from "./shared-rate-limiter.ts";
import {
  type ContextDeps,
  createHttpContext,
  createWsContext,
  type SharedContextOptions,
} from "./trpc/context.ts";
import { createTrpcHttpHandler } from "./trpc/http-handler.ts";

export interface ApiServerOptions {
  readonly env: Env;
  readonly database: Database;
  readonly storage: Storage;
  readonly log: Logger;
  /**
   * Everything else the router's context needs (job queue, Tone 3000 client factory, and
   * whatever it grows), passed through untouched; db and storage come from above.
   */
  readonly context: Omit<SharedContextOptions, "db" | "storage">;
  /** Overrides of single limits (tests use tiny ones); the rest come from `env`. */
  readonly limits?: Partial<ApiLimits>;
  /** Believe `X-Forwarded-For` (only behind a proxy that sets it). */
  readonly trustProxy?: boolean;
  /** More plain route groups, e.g. the Tone 3000 login routes (`/auth/login`, `/auth/callback`). */
  readonly routes?: readonly Route[];
}

export interface ApiServer {
  readonly http: Server;
  readonly limits: ApiLimits;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(port?: number, host?: string): Promise<string>;
  /** The base URL once listening. */
  readonly url: string | null;
  readonly isShuttingDown: boolean;
  /**
   * Graceful stop: refuse new connections and calls, tell WebSocket clients to reconnect
   * elsewhere, let in-flight requests finish (bounded by the grace period), then close every
   * socket. Does not close the database: whoever opened it closes it after this.
   */
  close(): Promise<void>;
}

const TRPC_PREFIX = "/trpc";

/** An SSE request (httpSubscriptionLink): a live subscription, not a call that ends. */
function isEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("text/event-stream");
}

/** On the raw request target, so tRPC requests skip a URL parse of ours (tRPC parses it anyway). */
function isTrpcPath(target: string): boolean {
  if (!target.startsWith(TRPC_PREFIX)) return false;
  const next = target.charAt(TRPC_PREFIX.length);
  return next === "" || next === "/" || next === "?";
}

/**
 * The API: one `node:http` server on one port serving tRPC over HTTP (batch and streamed batch)
 * at /trpc, tRPC over WebSocket (upgrade on /trpc), and plain routes (uploads, downloads, health).
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { env, database, storage, log } = options;
  const limits: ApiLimits = { ...limitsFromEnv(env), ...options.limits };
  const allowedOrigins = allowedOriginsFrom(env.WEB_ORIGINS, env.PUBLIC_URL);
  const limiter = createSharedRateLimiter({
    db: database.db,
    perMinute: limits.callsPerMinute,
    onFallback: () => log.warn("rate limit: database unavailable, counting in this process only"),
  });
  const sessionTtlMs = env.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000;
  const cookiePolicy = sessionCookiePolicy(env.PUBLIC_URL);
  let shuttingDown = false;

  const contextDeps: ContextDeps = {
    shared: { ...options.context, db: database.db, storage, sessionTtlMs, debug: env.SHOOTOUT_DEBUG },
    log,
    limiter,
    allowedOrigins,
    trustProxy: options.trustProxy ?? false,
    cookiePolicy,
  };

  // The line an internal error's answer points to: its request id (the context's log is bound to
  // it; a call that failed before it had a context carries it on the error) and the real error.
  const onError = ({
    error,
    path,
    ctx,
  }: {
    error: { code: string };
    path: string | undefined;
    ctx?: { log: Logger } | undefined;
  }) => {
    const requestId = ctx ? null : requestIdOfError(error, undefined);
    const target = ctx?.log ?? (requestId ? log.child({ requestId }) : log);
    if (error.code === "INTERNAL_SERVER_ERROR") target.error({ err: error, path }, "call failed");
    else if (error.code === "SERVICE_UNAVAILABLE")
      target.warn({ path }, "call refused: database unavailable");
    else target.debug({ code: error.code, path }, "call refused");
  };

  const trpcHttp = createTrpcHttpHandler<AppRouter>({
    router: appRouter,
    basePath: TRPC_PREFIX,
    maxBodySize: limits.maxBodyBytes,
    maxBatchSize: limits.maxBatchSize,
    createContext: (opts) => createHttpContext(contextDeps, opts),
    onError,
    // auth.logout ends the session and the browser's cookie goes with it, valid or stale; not when
    // the cookie was not honoured (a foreign origin must not be able to sign anyone out).
    responseMeta: ({ ctx, info, errors }) => {
      const headers: Record<string, string | string[]> = {};
      if (ctx?.sessionToken && info?.calls.some((call) => call.path === "auth.logout")) {
        headers["set-cookie"] = clearSessionCookies(cookiePolicy);
      }
      // A 503 while the database is away says when to come back, as the plain routes do.
      if (errors.some((e) => e.code === "SERVICE_UNAVAILABLE")) {
        headers["retry-after"] = String(DATABASE_RETRY_AFTER_SECONDS);
      }
      return { headers };
    },
  });

  const authDeps = { db: database.db, allowedOrigins, sessionTtlMs, cookiePolicy };
  const checkRate = routeRateLimit(limiter);
  const routes = createRouteTable([
    ...healthRoutes({ database, isShuttingDown: () => shuttingDown, debug: env.SHOOTOUT_DEBUG }),
    ...uploadRoutes({ ...authDeps, storage, maxUploadBytes: limits.maxUploadBytes, checkRate }),
    ...downloadRoutes({ ...authDeps, storage, checkRate, trustProxy: options.trustProxy ?? false }),
    ...(options.routes ?? []),
  ]);

  // One line per request at info; decided once, the level does not change at run time.
  const accessLog = log.isLevelEnabled("info");
  // In-flight HTTP requests, so a graceful stop knows when the last one has answered.
  let inFlight = 0;
  let onDrained: (() => void) | null = null;
  const subscriptions = new Set<ServerResponse>();

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    const started = performance.now();
    // A subscription over SSE never "finishes": it is not waited for at shutdown but ended, and
    // the client resumes elsewhere from its last event id.
    const subscription = isEventStream(req);
    if (subscription) subscriptions.add(res);
    else inFlight++;
    res.once("close", () => {
      if (subscription) subscriptions.delete(res);
      else if (--inFlight === 0) onDrained?.();
      if (accessLog) {
        log.info(
          {
            requestId,
            method: req.method,
            url: req.url,
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
          },
          "request",
        );
      }
    });
    // Keep-alive connections must not outlive a stop: answer, then close.
    if (shuttingDown) res.setHeader("connection", "close");

    if (applyCors(req, res, allowedOrigins).handled) return;
    const rawUrl = req.url ?? "/";
    if (isTrpcPath(rawUrl)) {
      trpcHttp(req, res);
      return;
    }
    let url: URL;
    try {
      url = new URL(rawUrl, "http://localhost");
    } catch {
      res.statusCode = 400;
      res.end();
      return;
    }
    void dispatchRoute(
      routes,
      {
        req,
        res,
        url,
        requestId,
        ip: clientIpOf(req, contextDeps.trustProxy),
        log: log.child({ requestId }),
      },
      { debug: env.SHOOTOUT_DEBUG },
    );
  }

  const http = createServer(handleRequest);
  // Slow-loris guard for headers; bodies (uploads) may legitimately take long.
  http.headersTimeout = 30_000;
  http.requestTimeout = 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const wssHandler = applyWSSHandler<AppRouter>({
    wss,
    router: appRouter,
    maxBatchSize: limits.maxBatchSize,
    // tRPC's keep-alive sends "PING" after pingMs without a message and terminates (no closing
    // handshake, which a dead path would never complete) a socket silent for pongWaitMs more.
    keepAlive: { enabled: true, pingMs: limits.webSocketPingMs, pongWaitMs: limits.webSocketPongWaitMs },
    createContext: (opts) => createWsContext(contextDeps, opts),
    onError,
  });

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    // tRPC's WebSocket handler builds a URL from the Host header and throws, uncaught, when it
    // cannot (an empty or malformed Host): that took the whole process down.
    if (!URL.canParse(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`)) {
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    if (shuttingDown || pathname !== TRPC_PREFIX) {
      const status = shuttingDown ? "503 Service Unavailable" : "404 Not Found";
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  let url: string | null = null;
  let closing: Promise<void> | null = null;

  async function close(): Promise<void> {
    shuttingDown = true;
    const deadline = Date.now() + limits.shutdownGraceMs;
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    wssHandler.broadcastReconnectNotification();
    for (const res of subscriptions) res.destroy();
    log.info(
      {
        inFlight,
        subscriptions: subscriptions.size,
        sockets: wss.clients.size,
        graceMs: limits.shutdownGraceMs,
      },
      "shutting down",
    );

    if (inFlight > 0) {
      const drained = new Promise<void>((resolve) => {
        onDrained = resolve;
      });
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) =>
          setTimeout(resolve, Math.max(0, deadline - Date.now()), true).unref(),
        ),
      ]);
      if (timedOut) log.warn({ inFlight }, "grace period over; cutting in-flight requests");
    }

    // 1001 "going away": wsLink reconnects (to another instance, or to us once restarted).
    for (const client of wss.clients) client.close(1001, "server shutting down");
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
        resolve();
      }, 1_000);
      force.unref();
      wss.close(() => {
        clearTimeout(force);
        resolve();
      });
    });
    http.closeAllConnections();
    await stopped;
    limiter.close();
    log.info("stopped");
  }

  return {
    http,
    limits,
    get url() {
      return url;
    },
    get isShuttingDown() {
      return shuttingDown;
    },
    listen(port = env.PORT, host = env.HOST) {
      return new Promise<string>((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, host, () => {
          http.off("error", reject);
          const address = http.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          url = `http://${shownHost}:${address.port}`;
          resolve(url);
        });
      });
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
