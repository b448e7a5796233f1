import type { IncomingMessage } from "node:http";
import type { DB } from "@shootout/db";
import { validateSessionToken } from "@shootout/router";
import type { Kysely } from "kysely";
import { HttpError } from "./errors.ts";
import { sessionTokenOf } from "./session-token.ts";

export interface AuthDeps {
  readonly db: Kysely<DB>;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly sessionTtlMs: number;
}

/** The signed-in user of a plain route's request, or a 401. */
export async function requireUser(req: IncomingMessage, deps: AuthDeps): Promise<{ id: string }> {
  const token = sessionTokenOf(req, deps.allowedOrigins);
  const auth = token ? await validateSessionToken(deps.db, token, { ttlMs: deps.sessionTtlMs }) : null;
  if (!auth) {
    throw new HttpError("UNAUTHORIZED", "sign in first", { "www-authenticate": 'Bearer realm="shootout"' });
  }
  return auth.user;
}
