import { createHash } from "node:crypto";
import { DatabaseUnavailableError, type DB } from "@shootout/db";
import { type Kysely, sql } from "kysely";
import { createRateLimiter, type RateDecision } from "./rate-limiter.ts";

export interface SharedRateLimiter {
  /** Spends one call from `key`'s budget (`user:<id>` or `ip:<addr>`), or says when to come back. */
  take(key: string): Promise<RateDecision>;
  /** Stops the background sweep (tests, shutdown). */
  close(): void;
}

interface Waiting {
  resolve: (decision: RateDecision) => void;
  reject: (error: unknown) => void;
}

interface KeyState {
  waiting: Waiting[];
  busy: boolean;
}

const SWEEP_MS = 60_000;
const MAX_STORED_KEY = 200;

/**
 * The row's key: `key` itself, or its hash when it would not fit the column or Postgres text
 * (behind a trusted proxy the IP is whatever X-Forwarded-For said, of any length).
 */
function storedKey(key: string): string {
  if (key.length <= MAX_STORED_KEY && !key.includes("\u0000")) return key;
  return `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

const takenRow = (row: { tokens: number; granted: number }) => ({
  tokens: Number(row.tokens),
  granted: Number(row.granted),
});

/**
 * The call rate limit over Postgres (or PGlite), so that every API process spends from one budget
 * per key: a token bucket row (`perMinute` of burst, refilled continuously at `perMinute`/min),
 * refilled and spent in one upsert, so concurrent takes from any process count once.
 *
 * Cost per call kept small: takes of one key that arrive together (the calls of one HTTP batch,
 * or calls made while that key's previous upsert is under way) go as one upsert of `n`; and a
 * key this process saw refused is refused locally, with no query, until a token can be back.
 *
 * While the database is unreachable the limit falls back to this process's in-memory bucket
 * rather than failing the call: the call then answers 503 by itself if it needs the database,
 * and one that does not is still limited, per process, as before the shared budget.
 */
export function createSharedRateLimiter(options: {
  db: Kysely<DB>;
  perMinute: number;
  /** Called once as the database becomes unreachable (not per call), until a take succeeds again. */
  onFallback?: (error: DatabaseUnavailableError) => void;
}): SharedRateLimiter {
  const { db, perMinute } = options;
  const perSecond = perMinute / 60;
  const keys = new Map<string, KeyState>();
  // performance.now() until which a key is known to be spent (no token can be back before).
  const refusedUntil = new Map<string, number>();
  const fallback = createRateLimiter({ perMinute });
  let degraded = false;

  const retryAfterSeconds = (tokens: number) => Math.max(1, Math.ceil((1 - tokens) / perSecond));

  async function spend(key: string, n: number): Promise<{ tokens: number; granted: number }> {
    // `b.*` in SET is the row before this update, so refilled is computed once from the old row.
    const refilled = sql`least(${perMinute}::float8, b.tokens + greatest(0, extract(epoch from (now() - b.updated_at)))::float8 * ${perSecond}::float8)`;
    const granted = sql`least(${n}::int, floor(${refilled})::int)`;
    const first = Math.min(n, perMinute);
    const result = await sql<{ tokens: number; granted: number }>`
      insert into rate_limit_buckets as b (key, tokens, last_granted, updated_at)
      values (${key}, ${perMinute - first}::float8, ${first}::int, now())
      on conflict (key) do update set
        tokens = ${refilled} - ${granted},
        last_granted = ${granted},
        updated_at = now()
      returning tokens, last_granted as granted`.execute(db);
    const row = result.rows[0];
    if (!row) throw new Error("rate limit upsert returned no row");
    return takenRow(row);
  }

  async function flush(key: string, state: KeyState): Promise<void> {
    state.busy = true;
    while (state.waiting.length > 0) {
      const batch = state.waiting.splice(0);
      try {
        const { tokens, granted } = await spend(storedKey(key), batch.length);
        degraded = false;
        const refused = { allowed: false, retryAfterSeconds: retryAfterSeconds(tokens) } as const;
        if (granted < batch.length) {
          refusedUntil.set(key, performance.now() + ((1 - tokens) / perSecond) * 1000);
        }
        batch.forEach((w, i) => {
          w.resolve(i < granted ? { allowed: true } : refused);
        });
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          if (!degraded) options.onFallback?.(error);
          degraded = true;
          for (const w of batch) w.resolve(fallback.take(key));
        } else {
          for (const w of batch) w.reject(error);
        }
      }
    }
    state.busy = false;
    keys.delete(key);
  }

  // Buckets untouched for a minute are full: nothing to remember. Any process may sweep.
  const sweep = setInterval(() => {
    const at = performance.now();
    for (const [key, until] of refusedUntil) if (until <= at) refusedUntil.delete(key);
    sql`delete from rate_limit_buckets where updated_at < now() - interval '60 seconds'`
      .execute(db)
      .catch(() => {
        // A sweep missed (database away) is made up by the next one.
      });
  }, SWEEP_MS);
  sweep.unref();

  return {
    take(key) {
      const until = refusedUntil.get(key);
      if (until !== undefined) {
        const left = until - performance.now();
        if (left > 0) {
          return Promise.resolve({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) });
        }
        refusedUntil.delete(key);
      }
      return new Promise<RateDecision>((resolve, reject) => {
        let state = keys.get(key);
        if (!state) {
          state = { waiting: [], busy: false };
          keys.set(key, state);
        }
        state.waiting.push({ resolve, reject });
        if (!state.busy) {
          const s = state;
          s.busy = true;
          // The rest of this batch's calls reach here in the same turn: one upsert for them all.
          setImmediate(() => void flush(key, s));
        }
      });
    },
    close() {
      clearInterval(sweep);
      fallback.close();
    },
  };
}
