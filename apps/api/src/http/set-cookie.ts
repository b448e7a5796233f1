/** Attributes of one `Set-Cookie`; values are URI-encoded so any string survives the trip. */
export interface CookieOptions {
  readonly maxAgeSeconds: number;
  readonly path?: string;
  readonly httpOnly?: boolean;
  readonly secure?: boolean;
  readonly sameSite?: "Lax" | "Strict" | "None";
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? "/"}`];
  parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  // Max-Age=0 alone is enough for today's browsers; Expires keeps older ones honest.
  if (options.maxAgeSeconds <= 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  if (options.httpOnly ?? true) parts.push("HttpOnly");
  if (options.secure) parts.push("Secure");
  parts.push(`SameSite=${options.sameSite ?? "Lax"}`);
  return parts.join("; ");
}

/** Adds cookies to whatever `Set-Cookie` headers the response already carries. */
export function appendSetCookies(
  res: { getHeader(name: string): unknown; setHeader(name: string, value: string[]): unknown },
  cookies: readonly string[],
): void {
  const existing = res.getHeader("set-cookie");
  const before = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  res.setHeader("set-cookie", [...before, ...cookies]);
}
