import type { IncomingMessage } from "node:http";

/**
 * The caller's IP. `X-Forwarded-For` is only believed behind a proxy we were told about,
 * otherwise anyone could pick their own rate-limit bucket.
 */
export function clientIpOf(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}
