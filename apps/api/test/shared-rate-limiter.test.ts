import { createDb } from "@shootout/db";
import {
  createTestDatabase,
  NEEDS_POSTGRES,
  startTcpProxy,
  type TestDatabase,
  testDatabaseUrl,
} from "@shootout/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSharedRateLimiter, type SharedRateLimiter } from "../src/shared-rate-limiter.ts";

const LIMIT = 10;

// Two limiters on one database stand for two API processes (the process test, on Postgres only,
// is many-api-processes.test.ts); this one runs on PGlite too.
describe("the shared rate limiter", () => {
  let t: TestDatabase;
  let a: SharedRateLimiter;
  let b: SharedRateLimiter;

  beforeAll(async () => {
    t = await createTestDatabase();
    a = createSharedRateLimiter({ db: t.db, perMinute: LIMIT });
    b = createSharedRateLimiter({ db: t.db, perMinute: LIMIT });
  });
  afterAll(async () => {
    a?.close();
    b?.close();
    await t?.close();
  });

  it("grants exactly the limit to concurrent takes from both, and says when to come back", async () => {
    const decisions = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => (i % 2 ? a : b).take("user:concurrent")),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(LIMIT);
    for (const d of decisions) {
      // One token back takes 60 / LIMIT s.
      if (!d.allowed) expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      if (!d.allowed) expect(d.retryAfterSeconds).toBeLessThanOrEqual(60 / LIMIT);
    }
    // The other process, which may not have seen a refusal of its own, refuses too.
    expect((await a.take("user:concurrent")).allowed).toBe(false);
    expect((await b.take("user:concurrent")).allowed).toBe(false);
    // Keys do not share.
    expect((await a.take("ip:203.0.113.9")).allowed).toBe(true);
  });

  it("takes any key, however long (X-Forwarded-For behind a trusted proxy), and counts it", async () => {
    const long = `ip:${"1".repeat(5000)}\u0000`;
    for (let i = 0; i < LIMIT; i++) expect((await b.take(long)).allowed).toBe(true);
    expect((await a.take(long)).allowed).toBe(false);
    // A different long key is a bucket of its own.
    expect((await a.take(`ip:${"1".repeat(5001)}`)).allowed).toBe(true);
  });

  it("refills by elapsed time on the database's clock", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await a.take("user:refill")).allowed).toBe(true);
    expect((await b.take("user:refill")).allowed).toBe(false);
    // As if the last take were a minute ago: full again (asked of `a`: `b` remembers its refusal
    // and answers it locally until a token could be back in real time).
    await t.db
      .updateTable("rateLimitBuckets")
      .set({ updatedAt: new Date(Date.now() - 61_000) })
      .where("key", "=", "user:refill")
      .execute();
    const again = await Promise.all(Array.from({ length: LIMIT + 1 }, () => a.take("user:refill")));
    expect(again.filter((d) => d.allowed)).toHaveLength(LIMIT);
  });
});

describe.skipIf(!testDatabaseUrl)(
  `the shared rate limiter while the database is away (${NEEDS_POSTGRES})`,
  () => {
    it("falls back to this process's budget instead of failing the call, and says so once", async () => {
      const t = await createTestDatabase();
      const proxy = await startTcpProxy(t.url!);
      const database = await createDb({ databaseUrl: proxy.url, poolMax: 2 });
      const outages: unknown[] = [];
      const limiter = createSharedRateLimiter({
        db: database.db,
        perMinute: 3,
        onFallback: (error) => outages.push(error),
      });
      try {
        expect((await limiter.take("user:away")).allowed).toBe(true);
        await proxy.cut();
        // Still limited, by the in-memory bucket (a full one: it never saw the first take).
        const away = [];
        for (let i = 0; i < 4; i++) away.push(await limiter.take("user:away"));
        expect(away.map((d) => d.allowed)).toEqual([true, true, true, false]);
        expect(outages).toHaveLength(1);
        await proxy.resume();
        // Back on the shared bucket: one spent before the outage, two left.
        const back = [];
        for (let i = 0; i < 3; i++) back.push((await limiter.take("user:away")).allowed);
        expect(back).toEqual([true, true, false]);
      } finally {
        limiter.close();
        await database.close();
        await proxy.close();
        await t.close();
      }
    });
  },
);
