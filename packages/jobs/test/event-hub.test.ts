import {
  createTestDatabase,
  insertTestShootout,
  type TestDatabase,
  testDatabaseUrl,
} from "@shootout/db/testing";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendJobEvent, createJobEventHub, type HubMessage, type JobEventHub } from "../src/index.ts";

const log = pino({ level: "silent" });

async function until<T>(probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("job event hub", () => {
  let t: TestDatabase;
  let hub: JobEventHub;
  let ownerId: string;
  let otherOwnerId: string;

  async function newJob(owner = ownerId): Promise<string> {
    const shootoutId = await insertTestShootout(t.db, owner);
    const job = await t.db
      .insertInto("jobs")
      .values({ shootoutId, ownerId: owner, status: "queued" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return job.id;
  }

  function append(jobId: string, progress: number, status: "running" | "completed" = "running") {
    return t.db
      .transaction()
      .execute((trx) => appendJobEvent(trx, { jobId, status, progress, message: `at ${progress}` }));
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    hub = await createJobEventHub(t, log);
    const users = await t.db
      .insertInto("users")
      .values([
        { tone3000Id: "hub-a", username: "a" },
        { tone3000Id: "hub-b", username: "b" },
      ])
      .returning("id")
      .execute();
    ownerId = users[0]!.id;
    otherOwnerId = users[1]!.id;
  });
  afterAll(async () => {
    await hub?.close();
    await t?.close();
  });

  it("delivers committed events to the job's and the owner's subscribers, and to no one else", async () => {
    const jobId = await newJob();
    const otherJobId = await newJob(otherOwnerId);
    const byJob: HubMessage[] = [];
    const byOwner: HubMessage[] = [];
    const unrelated: HubMessage[] = [];
    const offs = [
      hub.subscribe({ jobId }, (m) => byJob.push(m)),
      hub.subscribe({ ownerId }, (m) => byOwner.push(m)),
      hub.subscribe({ jobId: otherJobId }, (m) => unrelated.push(m)),
    ];
    expect(hub.listenerCount()).toBe(3);

    await append(jobId, 10);
    await append(jobId, 20);
    await until(() => byJob.length === 2 && byOwner.length === 2);
    expect(byJob.map((m) => m.type === "event" && [m.event.seq, m.event.progress])).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(byOwner).toEqual(byJob);
    expect(unrelated).toEqual([]);

    for (const off of offs) off();
    expect(hub.listenerCount()).toBe(0);
  });

  it("a rolled-back event is never delivered", async () => {
    const jobId = await newJob();
    const seen: HubMessage[] = [];
    const off = hub.subscribe({ jobId }, (m) => seen.push(m));
    await t.db
      .transaction()
      .execute(async (trx) => {
        await appendJobEvent(trx, { jobId, status: "running", progress: 5, message: "doomed" });
        throw new Error("roll back");
      })
      .catch(() => {});
    await append(jobId, 6);
    await until(() => seen.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.map((m) => m.type === "event" && m.event.message)).toEqual(["at 6"]);
    off();
  });

  it("stops delivering after unsubscribe; 1,000 subscribe/unsubscribe cycles leave no listener", async () => {
    const jobId = await newJob();
    const seen: HubMessage[] = [];
    const off = hub.subscribe({ jobId }, (m) => seen.push(m));
    off();
    off(); // idempotent
    for (let i = 0; i < 1_000; i++) {
      const offs = [hub.subscribe({ jobId }, () => {}), hub.subscribe({ ownerId }, () => {})];
      for (const o of offs) o();
    }
    expect(hub.listenerCount()).toBe(0);
    await append(jobId, 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
  });

  it("one subscriber throwing does not keep the event from the others", async () => {
    const jobId = await newJob();
    const seen: HubMessage[] = [];
    const offs = [
      hub.subscribe({ jobId }, () => {
        throw new Error("bad subscriber");
      }),
      hub.subscribe({ jobId }, (m) => seen.push(m)),
    ];
    await append(jobId, 1);
    await until(() => seen.length === 1);
    for (const off of offs) off();
  });
});

describe.skipIf(!testDatabaseUrl)("job event hub reconnects (needs TEST_DATABASE_URL)", () => {
  it("re-listens after its connection is killed and tells subscribers to back-fill", async () => {
    const t = await createTestDatabase();
    const hub = await createJobEventHub(t, log);
    try {
      const user = await t.db
        .insertInto("users")
        .values({ tone3000Id: "r", username: "r" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const seen: HubMessage[] = [];
      const off = hub.subscribe({ ownerId: user.id }, (m) => seen.push(m));

      const admin = new pg.Client({ connectionString: t.url! });
      await admin.connect();
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'shootout-listener' and datname = current_database()",
      );
      expect(killed.rowCount).toBe(1);
      await until(() => seen.some((m) => m.type === "resync"));

      // Listening again: a new event arrives live.
      const shootoutId = await insertTestShootout(t.db, user.id);
      const job = await t.db
        .insertInto("jobs")
        .values({ shootoutId, ownerId: user.id, status: "queued" })
        .returning("id")
        .executeTakeFirstOrThrow();
      await t.db
        .transaction()
        .execute((trx) =>
          appendJobEvent(trx, { jobId: job.id, status: "running", progress: 1, message: "after" }),
        );
      await until(() => seen.some((m) => m.type === "event" && m.event.message === "after"));
      await admin.end();
      off();
      expect(hub.listenerCount()).toBe(0);
    } finally {
      await hub.close();
      await t.close();
    }
  });
});
