import { createDb, type Database } from "@shootout/db";
import {
  createTestDatabase,
  insertTestShootout,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
  testDatabaseUrl,
} from "@shootout/db/testing";
import { createJobEventHub } from "@shootout/jobs";
import { TRPCError } from "@trpc/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateSessionToken } from "../src/domain/sessions.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError } from "./helpers.ts";

// The router's view of a database that went away (reached through a proxy that drops every
// connection and refuses new ones): SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR, and the same
// calls work again once it is back.
describe.skipIf(!testDatabaseUrl)("calls while the database is away (postgres)", () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let away: Database;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    proxy = await startTcpProxy(t.url!);
    away = await createDb({ databaseUrl: proxy.url, poolMax: 2, connectTimeoutMs: 1_000 });
    ({ token } = await createTestUser(t.db));
  });
  afterAll(async () => {
    await away?.close();
    await proxy?.close();
    await t?.close();
  });

  it("the session check of a call (WebSocket, createCaller) answers SERVICE_UNAVAILABLE", async () => {
    const caller = createTestCaller(away.db, token);
    expect((await caller.shootouts.list({})).items).toEqual([]);
    await proxy.cut();
    try {
      const error = await expectTRPCError(caller.shootouts.list({}), "SERVICE_UNAVAILABLE");
      expect(error.message).toMatch(/database is unavailable/i);
    } finally {
      await proxy.resume();
    }
    expect((await caller.shootouts.list({})).items).toEqual([]);
  });

  it("a procedure's own query (the session checked already, as over HTTP) answers SERVICE_UNAVAILABLE", async () => {
    const requestAuth = await validateSessionToken(t.db, token, { ttlMs: 60_000 });
    const caller = createTestCaller(away.db, token, { requestAuth });
    await proxy.cut();
    try {
      await expectTRPCError(caller.shootouts.list({}), "SERVICE_UNAVAILABLE");
    } finally {
      await proxy.resume();
    }
    expect((await caller.shootouts.list({})).items).toEqual([]);
  });

  it("a live stream whose back-fill hits the outage ends with SERVICE_UNAVAILABLE, not an internal error", async () => {
    const requestAuth = await validateSessionToken(t.db, token, { ttlMs: 60_000 });
    const events = await createJobEventHub(away, pino({ level: "silent" }));
    try {
      const shootoutId = await insertTestShootout(t.db, requestAuth!.user.id);
      const job = await t.db
        .insertInto("jobs")
        .values({ shootoutId, ownerId: requestAuth!.user.id, status: "queued", message: "Waiting" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const caller = createTestCaller(away.db, token, { requestAuth, events });
      // The resolver has checked access; the stream's first read (its back-fill) comes next.
      const stream = await caller.jobs.onProgress({ jobId: job.id });
      await proxy.cut();
      try {
        const error = await (async () => {
          for await (const _ of stream) return null;
          return null;
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
      } finally {
        await proxy.resume();
      }
    } finally {
      await events.close();
    }
  });
});
