import { type Database, migrationsAreCurrent } from "@shootout/db";
import { sql } from "kysely";
import { sendJson } from "../http/errors.ts";
import type { Route } from "./route.ts";

// A readiness probe must answer even when the database hangs, so the check is bounded.
const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is up (liveness). `/readyz`: it can serve (readiness): the database
 * answers, its migrations are current and we are not shutting down.
 */
export function healthRoutes(deps: {
  database: Database;
  isShuttingDown: () => boolean;
  /** SHOOTOUT_DEBUG: the database's own message in the answer, not only in the log. */
  debug?: boolean;
}): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      handle: ({ res }) => sendJson(res, 200, { status: "ok" }),
    },
    {
      method: "GET",
      path: "/readyz",
      async handle({ res, log }) {
        res.setHeader("cache-control", "no-store");
        if (deps.isShuttingDown()) {
          sendJson(res, 503, { status: "unavailable", reason: "shutting down" });
          return;
        }
        let reason: string | null = null;
        let failure: unknown = null;
        try {
          await withTimeout(sql`select 1`.execute(deps.database.db), READY_TIMEOUT_MS);
          const current = await withTimeout(migrationsAreCurrent(deps.database.db), READY_TIMEOUT_MS);
          if (!current) reason = "database migrations are not current";
        } catch (error) {
          // The driver's message (host, port, user, a server's wording) is for the log, not for
          // whoever can reach a probe.
          failure = error;
          reason = deps.debug
            ? `database unreachable: ${error instanceof Error ? error.message : String(error)}`
            : "database unreachable";
        }
        if (reason) {
          log.warn({ reason, ...(failure ? { err: failure } : {}) }, "not ready");
          sendJson(res, 503, { status: "unavailable", reason });
          return;
        }
        sendJson(res, 200, { status: "ready" });
      },
    },
  ];
}
