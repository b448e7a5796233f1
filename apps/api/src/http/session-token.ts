import type { IncomingMessage } from "node:http";
import { parseCookies } from "./cookies.ts";

export const SESSION_COOKIE = "session";

/**
 * The session token of a request: `Authorization: Bearer` first (scripts), then the `session`
 * cookie. The cookie is ambient (a browser attaches it to any site's request), so it is only
 * honoured when the request comes from no page at all, from our own host, or from an allowed
 * origin; that closes cross-site request forgery and WebSocket hijacking with a stolen ride.
 */
export function sessionTokenOf(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): string | null {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) return match[1];
  }
  const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (!cookie) return null;
  return cookieIsTrusted(req, allowedOrigins) ? cookie : null;
}

function cookieIsTrusted(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.has(origin)) return true;
  const host = req.headers.host;
  if (!host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
