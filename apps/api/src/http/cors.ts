import type { IncomingMessage, ServerResponse } from "node:http";

/** Browser origins allowed to call us: WEB_ORIGINS plus PUBLIC_URL's origin. */
export function allowedOriginsFrom(
  webOrigins: readonly string[],
  publicUrl: string | undefined,
): Set<string> {
  const origins = new Set(webOrigins.map((o) => new URL(o).origin));
  if (publicUrl) origins.add(new URL(publicUrl).origin);
  return origins;
}

const ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "x-request-id",
  "trpc-accept",
  "trpc-batch-mode",
  "range",
  "if-none-match",
  "if-range",
  "last-event-id",
].join(", ");
// Headers a browser script may read on our answers.
const EXPOSED_HEADERS = "retry-after, etag, content-range, accept-ranges, content-length, x-request-id";

export interface CorsOutcome {
  /** The request was a preflight and has been answered. */
  readonly handled: boolean;
}

/**
 * Adds CORS headers for an allowed origin (credentials included) and answers preflights.
 * A disallowed origin gets no CORS headers at all, so the browser refuses to hand it the answer.
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: ReadonlySet<string>,
): CorsOutcome {
  const origin = req.headers.origin;
  const isPreflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  res.appendHeader("vary", "Origin");
  const ok = origin !== undefined && allowed.has(origin);
  if (ok) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-allow-credentials", "true");
    res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
  }
  if (!isPreflight) return { handled: false };
  if (ok) {
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
    res.setHeader("access-control-max-age", "600");
  }
  res.statusCode = 204;
  res.end();
  return { handled: true };
}
