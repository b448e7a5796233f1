import type { IncomingMessage, ServerResponse } from "node:http";
import type { DB } from "@shootout/db";
import { type SessionValidationResult, validateSessionToken } from "@shootout/router";
import type { Kysely } from "kysely";
import { type SessionCookiePolicy, setSessionCookie } from "./session-cookie.ts";
import { sessionCredentialOf } from "./session-token.ts";
import { appendSetCookies } from "./set-cookie.ts";

/** Our session cookie on a request from another site: the transport answers 403. */
export class ForeignCookieError extends Error {
  constructor() {
    super(
      "the session cookie is not accepted on requests from another site; call from the app's own pages, or send the token as a Bearer header",
    );
    this.name = "ForeignCookieError";
  }
}

export interface RequestSessionDeps {
  readonly db: Kysely<DB>;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly sessionTtlMs: number;
  readonly cookiePolicy: SessionCookiePolicy;
}

/**
 * The session of one HTTP request (its token and what it stands for), validated once. When validating slid the session's expiry
 * and the token came in the cookie, the response carries the cookie again with the new Max-Age:
 * otherwise the browser would drop it at the first lifetime's end while the server still honours
 * the session, signing out someone who used the app every day.
 */
export async function requestSession(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RequestSessionDeps,
): Promise<{ token: string | null; auth: SessionValidationResult | null }> {
  const credential = sessionCredentialOf(req, deps.allowedOrigins);
  if (!credential) return { token: null, auth: null };
  if (credential.token === null) throw new ForeignCookieError();
  const auth = await validateSessionToken(deps.db, credential.token, { ttlMs: deps.sessionTtlMs });
  if (auth?.extended && credential.from === "cookie" && !res.headersSent) {
    const seconds = (auth.session.expiresAt.getTime() - Date.now()) / 1000;
    appendSetCookies(res, [setSessionCookie(deps.cookiePolicy, credential.token, seconds)]);
  }
  return { token: credential.token, auth };
}
