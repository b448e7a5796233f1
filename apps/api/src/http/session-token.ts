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
  return sessionCredentialOf(req, allowedOrigins)?.token ?? null;
}

/**
 * Where a request's session token came from. A `foreign-cookie` is our cookie on a request from
 * another site (and no Bearer): its token is not honoured, and HTTP routes refuse the request
 * (403) rather than treat it as anonymous, so the page that sent it learns why.
 */
export type SessionCredential =
  | { readonly token: string; readonly from: "bearer" | "cookie" }
  | { readonly token: null; readonly from: "foreign-cookie" };

/** sessionTokenOf, saying where the token came from (a cookie's response may renew it). */
export function sessionCredentialOf(
  req: IncomingMessage,
  allowedOrigins: ReadonlySet<string>,
): SessionCredential | null {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) return { token: match[1], from: "bearer" };
  }
  const cookies = parseCookies(req.headers.cookie);
  // `__Host-session` over https (see session-cookie.ts), plain `session` otherwise.
  const cookie = cookies.get(`__Host-${SESSION_COOKIE}`) ?? cookies.get(SESSION_COOKIE);
  if (!cookie) return null;
  return cookieIsTrusted(req, allowedOrigins)
    ? { token: cookie, from: "cookie" }
    : { token: null, from: "foreign-cookie" };
}

function cookieIsTrusted(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  // No Origin (e.g. a GET): browsers still say where a request came from in Sec-Fetch-Site. A
  // cross-site script's request is refused; a cross-site link the user follows (navigate) is not.
  if (origin === undefined) {
    return req.headers["sec-fetch-site"] !== "cross-site" || req.headers["sec-fetch-mode"] === "navigate";
  }
  if (allowedOrigins.has(origin)) return true;
  const host = req.headers.host;
  if (!host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
