/** The verdict on one call. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Spends `cost` calls from `key`'s budget (user id or IP), or says when to come back. */
  take(key: string, cost?: number): RateDecision;
  /** Stops the background sweep (tests, shutdown). */
  close(): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key: `perMinute` calls of burst, refilled continuously at `perMinute`/min.
 * In memory, per process: the API spends from the shared bucket in the database
 * (shared-rate-limiter.ts) and uses this one only while the database is unreachable.
 */
export function createRateLimiter(options: { perMinute: number; now?: () => number }): RateLimiter {
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, at: number): void {
    bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updatedAt) * perMs);
    bucket.updatedAt = at;
  }

  // Full buckets carry no information: drop them so idle keys do not pile up forever.
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
  }, 60_000);
  sweep.unref();

  return {
    take(key, cost = 1) {
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: capacity, updatedAt: at };
        buckets.set(key, bucket);
      } else {
        refill(bucket, at);
      }
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return { allowed: true };
      }
      const missing = cost - bucket.tokens;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / perMs / 1000)) };
    },
    close() {
      clearInterval(sweep);
    },
  };
}
