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
export function healthRoutes(deps: { database: Database; isShuttingDown: () => boolean }): Route[] {
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
        try {
          await withTimeout(sql`select 1`.execute(deps.database.db), READY_TIMEOUT_MS);
          const current = await withTimeout(migrationsAreCurrent(deps.database.db), READY_TIMEOUT_MS);
          if (!current) reason = "database migrations are not current";
        } catch (error) {
          reason = `database unreachable: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (reason) {
          log.warn({ reason }, "not ready");
          sendJson(res, 503, { status: "unavailable", reason });
          return;
        }
        sendJson(res, 200, { status: "ready" });
      },
    },
  ];
}
