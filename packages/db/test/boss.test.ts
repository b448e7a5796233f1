import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bossDbIn, createBoss } from "../src/boss.ts";
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from "../src/testing/index.ts";

describe(`pg-boss on ${testDatabaseUrl ? "postgres" : "pglite"}`, () => {
  let t: TestDatabase;
  let boss: PgBoss;

  beforeAll(async () => {
    t = await createTestDatabase();
    boss = createBoss(t, { supervise: false, schedule: false });
    boss.on("error", (error) => console.error("boss error", error));
    await boss.start();
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  it("sends, works and completes jobs", async () => {
    await boss.createQueue("test-echo");
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      void boss.work<{ n: number }>("test-echo", { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) seen.push(job.data.n);
        if (seen.length >= 3) resolve();
        return jobs.map((j) => ({ doubled: j.data.n * 2 }));
      });
    });
    const ids = await Promise.all([1, 2, 3].map((n) => boss.send("test-echo", { n })));
    await done;
    expect(seen.sort()).toEqual([1, 2, 3]);
    for (const id of ids) {
      let job = await boss.getJobById("test-echo", id!);
      for (let i = 0; i < 50 && job?.state !== "completed"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = await boss.getJobById("test-echo", id!);
      }
      expect(job?.state).toBe("completed");
    }
  });

  it("sends inside a Kysely transaction: rolled back means never queued", async () => {
    await boss.createQueue("test-tx");
    const committed = await t.db
      .transaction()
      .execute((trx) => boss.send("test-tx", { keep: true }, { db: bossDbIn(trx) }));
    await expect(
      t.db.transaction().execute(async (trx) => {
        await boss.send("test-tx", { keep: false }, { db: bossDbIn(trx) });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(committed).toBeTruthy();
    const jobs = await boss.fetch<{ keep: boolean }>("test-tx", { batchSize: 10 });
    expect(jobs.map((j) => j.data.keep)).toEqual([true]);
  });
});
