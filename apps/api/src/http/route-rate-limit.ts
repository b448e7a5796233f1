import type { SharedRateLimiter } from "../shared-rate-limiter.ts";
import { HttpError } from "./errors.ts";

/** Charges one call to `key` (`user:<id>` or `ip:<addr>`); throws a 429 with Retry-After when spent. */
export type RouteRateLimit = (key: string) => Promise<void>;

export function routeRateLimit(limiter: SharedRateLimiter): RouteRateLimit {
  return async (key) => {
    const decision = await limiter.take(key);
    if (!decision.allowed) {
      throw new HttpError("TOO_MANY_REQUESTS", `too many calls; retry in ${decision.retryAfterSeconds} s`, {
        "retry-after": String(decision.retryAfterSeconds),
      });
    }
  };
}
