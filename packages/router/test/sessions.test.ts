import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSession,
  DEFAULT_SESSION_TTL_MS,
  invalidateSession,
  invalidateUserSessions,
  parseSessionToken,
  validateSessionToken,
} from "../src/domain/sessions.ts";
import { upsertUserByTone3000Id } from "../src/domain/users.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError } from "./helpers.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("sessions", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  async function sessionRow(id: string) {
    return t.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  it("issues <id>.<secret> tokens with >= 128 random bits each and stores only SHA-256 of the secret", async () => {
    const { user } = await createTestUser(t.db);
    const a = await createSession(t.db, user.id, { userAgent: "ua", ip: "10.0.0.1" });
    const b = await createSession(t.db, user.id);
    const parsed = parseSessionToken(a.token);
    expect(parsed).not.toBeNull();
    // base32: 5 bits a character.
    expect(parsed!.id.length * 5).toBeGreaterThanOrEqual(128);
    expect(parsed!.secret.length * 5).toBeGreaterThanOrEqual(128);
    expect(a.token).not.toBe(b.token);
    expect(a.session.id).toBe(parsed!.id);

    const row = await sessionRow(a.session.id);
    expect(row!.secretHash.byteLength).toBe(32);
    const stored = Buffer.from(row!.secretHash).toString("hex");
    const expected = (await import("node:crypto")).createHash("sha256").update(parsed!.secret).digest("hex");
    expect(stored).toBe(expected);
    // Nothing in the row is the secret itself.
    expect(JSON.stringify(row)).not.toContain(parsed!.secret);
    expect(row!.userAgent).toBe("ua");
    expect(row!.ip).toBe("10.0.0.1");
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(DEFAULT_SESSION_TTL_MS);
  });

  it("validates a good token and rejects a wrong secret, a malformed token and an unknown id", async () => {
    const { user, token } = await createTestUser(t.db);
    const ok = await validateSessionToken(t.db, token);
    expect(ok?.user.id).toBe(user.id);
    expect(ok?.user).not.toHaveProperty("t3kAccessToken");

    const { id, secret } = parseSessionToken(token)!;
    const flipped = `${id}.${secret.slice(0, -1)}${secret.endsWith("a") ? "b" : "a"}`;
    expect(await validateSessionToken(t.db, flipped)).toBeNull();
    expect(await validateSessionToken(t.db, "not-a-token")).toBeNull();
    expect(await validateSessionToken(t.db, `${id}`)).toBeNull();
    expect(await validateSessionToken(t.db, `${"a".repeat(32)}.${secret}`)).toBeNull();
    // A wrong guess does not end the real session.
    expect(await validateSessionToken(t.db, token)).not.toBeNull();
  });

  it("rejects and deletes an expired session", async () => {
    const { token } = await createTestUser(t.db);
    const { id } = parseSessionToken(token)!;
    await t.db
      .updateTable("sessions")
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where("id", "=", id)
      .execute();
    expect(await validateSessionToken(t.db, token)).toBeNull();
    expect(await sessionRow(id)).toBeUndefined();
  });

  it("slides: extends to a full lifetime once less than half remains, and not before", async () => {
    const { token } = await createTestUser(t.db);
    const { id } = parseSessionToken(token)!;
    const ttlMs = 30 * DAY;

    // More than half left: no write.
    const before = await sessionRow(id);
    await validateSessionToken(t.db, token, { ttlMs });
    const untouched = await sessionRow(id);
    expect(untouched!.expiresAt.getTime()).toBe(before!.expiresAt.getTime());
    expect(untouched!.lastVerifiedAt.getTime()).toBe(before!.lastVerifiedAt.getTime());

    // Less than half left: back to a full lifetime, and last_verified_at moves.
    const now = new Date();
    await t.db
      .updateTable("sessions")
      .set({
        expiresAt: new Date(now.getTime() + 10 * DAY),
        lastVerifiedAt: new Date(now.getTime() - 20 * DAY),
      })
      .where("id", "=", id)
      .execute();
    const result = await validateSessionToken(t.db, token, { ttlMs, now });
    expect(result!.session.expiresAt.getTime()).toBe(now.getTime() + ttlMs);
    const extended = await sessionRow(id);
    expect(extended!.expiresAt.getTime()).toBe(now.getTime() + ttlMs);
    expect(extended!.lastVerifiedAt.getTime()).toBe(now.getTime());
  });

  it("honours a configured TTL (sessionTtlMs in the context) when sliding", async () => {
    const { token } = await createTestUser(t.db, { ttlMs: 2 * DAY });
    const { id } = parseSessionToken(token)!;
    await t.db
      .updateTable("sessions")
      .set({ expiresAt: sql`now() + interval '12 hours'` })
      .where("id", "=", id)
      .execute();
    await createTestCaller(t.db, token, { sessionTtlMs: 2 * DAY }).auth.me();
    const row = await sessionRow(id);
    const left = row!.expiresAt.getTime() - Date.now();
    expect(left).toBeGreaterThan(2 * DAY - 60_000);
    expect(left).toBeLessThanOrEqual(2 * DAY);
  });

  it("invalidates one session, or all of a user's", async () => {
    const { user, token } = await createTestUser(t.db);
    const second = await createSession(t.db, user.id);
    const other = await createTestUser(t.db);
    await invalidateSession(t.db, parseSessionToken(token)!.id);
    expect(await validateSessionToken(t.db, token)).toBeNull();
    expect(await validateSessionToken(t.db, second.token)).not.toBeNull();
    await invalidateUserSessions(t.db, user.id);
    expect(await validateSessionToken(t.db, second.token)).toBeNull();
    expect(await validateSessionToken(t.db, other.token)).not.toBeNull();
  });

  it("re-validates on every call: a session revoked after the context was built stops working", async () => {
    const { user, token } = await createTestUser(t.db);
    // One context for many calls, as a WebSocket connection has.
    const caller = createTestCaller(t.db, token);
    expect((await caller.auth.me())?.user.id).toBe(user.id);
    expect(await caller.shootouts.list({})).toEqual({ items: [], nextCursor: null });

    await invalidateSession(t.db, parseSessionToken(token)!.id);
    await expectTRPCError(caller.shootouts.list({}), "UNAUTHORIZED");
    expect(await caller.auth.me()).toBeNull();
  });

  it("an expired token through the router is UNAUTHORIZED and its row is gone", async () => {
    const { token } = await createTestUser(t.db);
    const { id } = parseSessionToken(token)!;
    await t.db
      .updateTable("sessions")
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where("id", "=", id)
      .execute();
    await expectTRPCError(createTestCaller(t.db, token).files.list({}), "UNAUTHORIZED");
    expect(await sessionRow(id)).toBeUndefined();
  });

  it("upserts users by Tone 3000 id: one row, profile and tokens refreshed", async () => {
    const first = await upsertUserByTone3000Id(t.db, {
      tone3000Id: "t3k-upsert",
      username: "old",
      avatarUrl: "https://example.com/a.png",
      tokens: { accessToken: "enc-a1", refreshToken: "enc-r1", expiresAt: new Date("2030-01-01T00:00:00Z") },
    });
    const second = await upsertUserByTone3000Id(t.db, { tone3000Id: "t3k-upsert", username: "new" });
    expect(second.id).toBe(first.id);
    expect(second.username).toBe("new");
    expect(second).not.toHaveProperty("t3kAccessToken");
    const row = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    // Tokens omitted: the stored ones stay.
    expect(row.t3kAccessToken).toBe("enc-a1");
    await upsertUserByTone3000Id(t.db, {
      tone3000Id: "t3k-upsert",
      username: "new",
      tokens: { accessToken: "enc-a2", refreshToken: null, expiresAt: null },
    });
    const updated = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    expect(updated.t3kAccessToken).toBe("enc-a2");
    expect(updated.t3kRefreshToken).toBeNull();
    const count = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tone3000Id", "=", "t3k-upsert")
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });
});

describe("auth procedures", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  it("auth.me returns the user and session, never tokens", async () => {
    const { user, token } = await createTestUser(t.db, { username: "ada" });
    const me = await createTestCaller(t.db, token).auth.me();
    expect(me).toMatchObject({
      user: { id: user.id, username: "ada" },
      session: { id: parseSessionToken(token)!.id },
    });
    expect(Object.keys(me!.user).sort()).toEqual(["avatarUrl", "createdAt", "id", "tone3000Id", "username"]);
    expect(new Date(me!.session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Whether Tone 3000 access is held, never the tokens themselves.
    expect(me!.tone3000Access).toBe(true);
    expect(JSON.stringify(me)).not.toContain("test-placeholder");
    const lapsed = await createTestUser(t.db, { tone3000Access: false });
    expect((await createTestCaller(t.db, lapsed.token).auth.me())?.tone3000Access).toBe(false);
  });

  it("auth.logout ends the calling session only", async () => {
    const { user, token } = await createTestUser(t.db);
    const other = await createSession(t.db, user.id);
    const caller = createTestCaller(t.db, token);
    expect(await caller.auth.logout()).toEqual({ ok: true });
    await expectTRPCError(caller.auth.logout(), "UNAUTHORIZED");
    expect(await validateSessionToken(t.db, other.token)).not.toBeNull();
  });

  it("auth.sessions.list lists own live sessions and marks the current one", async () => {
    const { user, token } = await createTestUser(t.db);
    const second = await createSession(t.db, user.id, { userAgent: "phone" });
    const stranger = await createTestUser(t.db);
    const list = await createTestCaller(t.db, token).auth.sessions.list();
    expect(list.map((s) => s.id).sort()).toEqual([parseSessionToken(token)!.id, second.session.id].sort());
    expect(list.filter((s) => s.current).map((s) => s.id)).toEqual([parseSessionToken(token)!.id]);
    expect(list.map((s) => s.id)).not.toContain(parseSessionToken(stranger.token)!.id);
    expect(list.find((s) => s.id === second.session.id)?.userAgent).toBe("phone");
  });

  it("auth.sessions.revoke ends an own session; another user's is NOT_FOUND and survives", async () => {
    const { user, token } = await createTestUser(t.db);
    const second = await createSession(t.db, user.id);
    const stranger = await createTestUser(t.db);
    const caller = createTestCaller(t.db, token);
    expect(await caller.auth.sessions.revoke({ sessionId: second.session.id })).toEqual({ ok: true });
    expect(await validateSessionToken(t.db, second.token)).toBeNull();
    await expectTRPCError(
      caller.auth.sessions.revoke({ sessionId: parseSessionToken(stranger.token)!.id }),
      "NOT_FOUND",
    );
    expect(await validateSessionToken(t.db, stranger.token)).not.toBeNull();
    await expectTRPCError(caller.auth.sessions.revoke({ sessionId: "" }), "BAD_REQUEST");
  });
});
