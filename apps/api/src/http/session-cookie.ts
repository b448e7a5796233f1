import { SESSION_COOKIE } from "./session-token.ts";
import { serializeCookie } from "./set-cookie.ts";

/**
 * The `__Host-` prefix makes the browser refuse the cookie unless it is Secure, Path=/ and has no
 * Domain: a sibling subdomain or a plain-http page cannot plant or shadow it. Only possible over
 * https, so plain-http development uses the bare name. The reader accepts both.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export interface SessionCookiePolicy {
  /** PUBLIC_URL is https: Secure cookies and the `__Host-` name. */
  readonly secure: boolean;
}

export function sessionCookiePolicy(publicUrl: string | undefined): SessionCookiePolicy {
  return { secure: publicUrl !== undefined && new URL(publicUrl).protocol === "https:" };
}

export function sessionCookieName(policy: SessionCookiePolicy): string {
  return policy.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export function setSessionCookie(policy: SessionCookiePolicy, token: string, maxAgeSeconds: number): string {
  return serializeCookie(sessionCookieName(policy), token, { maxAgeSeconds, secure: policy.secure });
}

/** Clears the session cookie under both names (a deployment may have moved to https). */
export function clearSessionCookies(policy: SessionCookiePolicy): string[] {
  const cleared = [serializeCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: policy.secure })];
  if (policy.secure)
    cleared.push(serializeCookie(SECURE_SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: true }));
  return cleared;
}
