// Sliding one-minute window per key (the Bearer token, else the client address).
export function createRateLimiter(limitPerMinute: number, now: () => number = Date.now) {
  const windowMs = 60_000;
  const hits = new Map<string, number[]>();
  return {
    /** Records a hit; returns the seconds to wait when over the limit, else undefined. */
    hit(key: string): number | undefined {
      const t = now();
      const recent = (hits.get(key) ?? []).filter((at) => at > t - windowMs);
      if (recent.length >= limitPerMinute) {
        hits.set(key, recent);
        return Math.max(1, Math.ceil((recent[0]! + windowMs - t) / 1000));
      }
      recent.push(t);
      hits.set(key, recent);
      return undefined;
    },
    reset() {
      hits.clear();
    },
  };
}
