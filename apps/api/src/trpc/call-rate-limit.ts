import { TRPCError } from "@trpc/server";
import type { SharedRateLimiter } from "../shared-rate-limiter.ts";

/**
 * Charges one procedure call to `key` (`user:<id>`, or `ip:<addr>` for anonymous callers) and
 * throws TOO_MANY_REQUESTS (HTTP 429) when the budget is spent. One HTTP batch is many calls, so
 * this runs per call, not per request. `onLimited` lets the HTTP transport add a Retry-After.
 */
export function callRateLimit(
  limiter: SharedRateLimiter,
  onLimited?: (retryAfterSeconds: number) => void,
): (key: string) => Promise<void> {
  return async (key) => {
    const decision = await limiter.take(key);
    if (decision.allowed) return;
    onLimited?.(decision.retryAfterSeconds);
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `too many calls; retry in ${decision.retryAfterSeconds} s`,
    });
  };
}
