import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import {
  createTokenCipher,
  createTone3000OAuth,
  createTone3000StandIn,
  DEFAULT_STAND_IN_CLIENT,
  generateCodeVerifier,
  generateState,
  generateTokenCipherKey,
  type Tone3000OAuth,
  type Tone3000StandIn,
  type Tone3000Tokens,
} from "@shootout/tone3000";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTone3000ClientFactory } from "../src/domain/tone3000-clients.ts";
import {
  createTone3000TokenStore,
  Tone3000SignInRequiredError,
  type Tone3000TokenStore,
} from "../src/domain/tone3000-tokens.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError } from "./helpers.ts";

const REDIRECT_URI = DEFAULT_STAND_IN_CLIENT.redirectUris[1]!;

describe("Tone 3000 tokens over the database, against the stand-in", () => {
  let t: TestDatabase;
  let standIn: Tone3000StandIn;
  let oauth: Tone3000OAuth;
  const cipher = createTokenCipher(generateTokenCipherKey());
  /** Every refresh grant any store in this file spends, in order. */
  let refreshes: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    standIn = await createTone3000StandIn({ port: 0 });
    oauth = createTone3000OAuth({
      baseUrl: standIn.url,
      clientId: DEFAULT_STAND_IN_CLIENT.clientId,
      redirectUri: REDIRECT_URI,
    });
  });
  afterAll(async () => {
    await standIn?.close();
    await t?.close();
  });
  beforeEach(() => {
    refreshes = [];
    standIn.faults.clear();
  });

  /** A store as one process would hold it (its own single-flight map). */
  function newStore(): Tone3000TokenStore {
    return createTone3000TokenStore({
      db: t.db,
      cipher,
      refresh: async (refreshToken) => {
        refreshes.push(refreshToken);
        return oauth.refreshAccessToken(refreshToken);
      },
    });
  }

  /** A real grant: the stand-in's authorize (auto-approved) over HTTP, then the code exchange. */
  async function grant(): Promise<Tone3000Tokens> {
    const state = generateState();
    const verifier = generateCodeVerifier();
    const answer = await fetch(oauth.createAuthorizationURL(state, verifier), { redirect: "manual" });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe(state);
    return oauth.validateAuthorizationCode(back.searchParams.get("code")!, verifier);
  }

  async function signedInUser(store: Tone3000TokenStore) {
    const { user, token } = await createTestUser(t.db);
    const tokens = await grant();
    await store.save(user.id, tokens);
    return { user, token, tokens };
  }

  function callerFor(store: Tone3000TokenStore, token: string, maxRetries = 3) {
    const tone3000 = createTone3000ClientFactory({
      baseUrl: standIn.url,
      tokens: store,
      maxRetries,
      retryBaseDelayMs: 1,
    });
    return createTestCaller(t.db, token, { tone3000 });
  }

  async function storedRow(userId: string) {
    return t.db
      .selectFrom("users")
      .select(["t3kAccessToken", "t3kRefreshToken", "t3kTokenExpiresAt"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
  }

  async function expireStored(userId: string) {
    await t.db
      .updateTable("users")
      .set({ t3kTokenExpiresAt: new Date(Date.now() - 1_000) })
      .where("id", "=", userId)
      .execute();
  }

  it("stores tokens encrypted and bound to the user's row", async () => {
    const store = newStore();
    const { user, tokens } = await signedInUser(store);
    const row = await storedRow(user.id);
    expect(row.t3kAccessToken).toMatch(/^v1\./);
    expect(row.t3kRefreshToken).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(row)).not.toContain(tokens.refreshToken);
    expect(cipher.decrypt(row.t3kRefreshToken!, user.id)).toBe(tokens.refreshToken);
    // Copied onto another user's row, the ciphertext is useless.
    expect(() => cipher.decrypt(row.t3kRefreshToken!, crypto.randomUUID())).toThrow();
    expect(row.t3kTokenExpiresAt!.getTime()).toBe(tokens.accessTokenExpiresAt.getTime());
  });

  it("tones.search returns the stand-in's catalogue page with a fresh token, without refreshing", async () => {
    const store = newStore();
    const { token, user } = await signedInUser(store);
    const before = await storedRow(user.id);
    const page = await callerFor(store, token).tones.search({ query: "clean", pageSize: 5 });
    expect(page.page).toBe(1);
    expect(page.pageSize).toBe(5);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.map((tone) => tone.title)).toContain("Microtubes 900 Clean (NAM Core example)");
    expect(page.items.every((tone) => typeof tone.creator.username === "string")).toBe(true);
    expect(refreshes).toEqual([]);
    expect((await storedRow(user.id)).t3kRefreshToken).toBe(before.t3kRefreshToken);
  });

  it("refreshes an expiring token before the call and saves the rotated pair, encrypted", async () => {
    const store = newStore();
    const { token, user, tokens } = await signedInUser(store);
    await expireStored(user.id);
    const page = await callerFor(store, token).tones.search({});
    expect(page.items.length).toBeGreaterThan(0);
    expect(refreshes).toEqual([tokens.refreshToken]);

    const row = await storedRow(user.id);
    const newRefresh = cipher.decrypt(row.t3kRefreshToken!, user.id);
    expect(newRefresh).not.toBe(tokens.refreshToken);
    expect(newRefresh).toMatch(/^t3k_rt_/);
    expect(row.t3kRefreshToken).not.toContain("t3k_rt_");
    expect(row.t3kAccessToken).not.toContain("t3k_at_");
    expect(row.t3kTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    // The old refresh token was spent: replaying it now would revoke the grant at Tone 3000.
  });

  it("refreshes once on a 401 even though the stored expiry looked fine", async () => {
    const store = newStore();
    const { token, tokens } = await signedInUser(store);
    standIn.oauth.expireAccessToken(tokens.accessToken);
    const tone = await callerFor(store, token).tones.get({ id: 101 });
    expect(tone.title).toBe("Microtubes 900 Clean (NAM Core example)");
    expect(refreshes).toEqual([tokens.refreshToken]);
  });

  it("concurrent calls needing a refresh share ONE refresh (a second would revoke the grant)", async () => {
    const store = newStore();
    const { token, user, tokens } = await signedInUser(store);
    await expireStored(user.id);
    standIn.oauth.expireAccessToken(tokens.accessToken);
    // Separate callers: separate clients and token sources, as separate requests would have.
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        i % 2 === 0
          ? callerFor(store, token).tones.search({ pageSize: 2 })
          : callerFor(store, token).tones.favorites({}),
      ),
    );
    expect(results).toHaveLength(5);
    expect(refreshes).toEqual([tokens.refreshToken]);
    // The grant is alive: a later call works without another refresh.
    await callerFor(store, token).tones.mine({});
    expect(refreshes).toHaveLength(1);
  });

  it("two processes (two stores, one database) do not both spend the same refresh token", async () => {
    const [a, b] = [newStore(), newStore()];
    const { token, user, tokens } = await signedInUser(a);
    await expireStored(user.id);
    const [fromA, fromB] = await Promise.all([
      callerFor(a, token).tones.search({}),
      callerFor(b, token).tones.search({}),
    ]);
    expect(fromA.items.length).toBeGreaterThan(0);
    expect(fromB.items.length).toBeGreaterThan(0);
    expect(refreshes).toEqual([tokens.refreshToken]);
  });

  it("a revoked grant is UNAUTHORIZED with 'sign in again', and the dead tokens are dropped", async () => {
    const store = newStore();
    const { token, user, tokens } = await signedInUser(store);
    // Someone replays the refresh token: the stand-in revokes the whole family.
    await oauth.refreshAccessToken(tokens.refreshToken);
    await oauth.refreshAccessToken(tokens.refreshToken).catch(() => undefined);
    const error = await expectTRPCError(callerFor(store, token).tones.search({}), "UNAUTHORIZED");
    expect(error.message).toMatch(/sign in to Tone 3000 again/);
    const row = await storedRow(user.id);
    expect(row.t3kAccessToken).toBeNull();
    expect(row.t3kRefreshToken).toBeNull();
    // And from then on, without asking Tone 3000 again.
    refreshes = [];
    const again = await expectTRPCError(callerFor(store, token).tones.search({}), "UNAUTHORIZED");
    expect(again.cause).toBeInstanceOf(Tone3000SignInRequiredError);
    expect(refreshes).toEqual([]);
  });

  it("no stored tokens, or tokens under another key: UNAUTHORIZED, sign in again", async () => {
    const store = newStore();
    const { token } = await createTestUser(t.db, { tone3000Access: false });
    const none = await expectTRPCError(callerFor(store, token).tones.search({}), "UNAUTHORIZED");
    expect(none.message).toMatch(/no Tone 3000 access.*sign in to Tone 3000 again/);

    const signedIn = await signedInUser(store);
    const otherKey = createTone3000TokenStore({
      db: t.db,
      cipher: createTokenCipher(generateTokenCipherKey()),
      refresh: (r) => oauth.refreshAccessToken(r),
    });
    const unreadable = await expectTRPCError(
      callerFor(otherKey, signedIn.token).tones.search({}),
      "UNAUTHORIZED",
    );
    expect(unreadable.message).toMatch(/can no longer be read/);
  });

  it("a 429 that outlasts the client's retries is TOO_MANY_REQUESTS", async () => {
    const store = newStore();
    const { token } = await signedInUser(store);
    standIn.faults.next({
      path: "/api/v1/tones/search",
      status: 429,
      headers: { "retry-after": "0" },
      body: { error: "Too many requests" },
      times: 3,
    });
    await expectTRPCError(callerFor(store, token, 2).tones.search({}), "TOO_MANY_REQUESTS");
    expect(standIn.faults.log.map((f) => f.status)).toEqual([429, 429, 429]);
    // Within the retry budget, the same burst is absorbed.
    standIn.faults.next({
      path: "/api/v1/tones/search",
      status: 429,
      headers: { "retry-after": "0" },
      times: 2,
    });
    const page = await callerFor(store, token, 2).tones.search({});
    expect(page.items.length).toBeGreaterThan(0);
  });

  it("maps the library, tone, models and upstream failures", async () => {
    const store = newStore();
    const { token } = await signedInUser(store);
    const caller = callerFor(store, token);
    expect((await caller.tones.mine()).items.map((tone) => tone.id).sort()).toEqual([107, 108]);
    expect((await caller.tones.favorites({})).items.map((tone) => tone.id).sort()).toEqual([
      102, 103, 106, 110,
    ]);
    const models = await caller.tones.models({ toneId: 101 });
    expect(models.items.map((m) => [m.id, m.toneId, m.architecture])).toEqual([
      [1001, 101, "1"],
      [1002, 101, "custom"],
    ]);
    await expectTRPCError(caller.tones.get({ id: 999_999 }), "NOT_FOUND");
    // The search schema refuses oversized pages before anything is sent upstream.
    await expectTRPCError(caller.tones.search({ pageSize: 26 }), "BAD_REQUEST");
    standIn.faults.next({ path: "/api/v1/tones/101", status: 200, body: { id: "not a tone" } });
    await expectTRPCError(caller.tones.get({ id: 101 }), "BAD_GATEWAY");
    standIn.faults.next({ path: "/api/v1/tones/101", status: 503, body: { error: "down" } });
    await expectTRPCError(caller.tones.get({ id: 101 }), "BAD_GATEWAY");
  });

  // Both ways the token endpoint words a refused grant: the grant is cleared and the user gets the
  // one "sign in to Tone 3000 again" error, not BAD_GATEWAY on every call from then on.
  for (const style of ["rfc", "gotrue"] as const) {
    it(`a grant refused ${style === "rfc" ? 'RFC-style ({"error":"invalid_grant"})' : 'GoTrue-style ({"error_code":...})'} is cleared; the user is asked to sign in to Tone 3000 again`, async () => {
      const store = newStore();
      const { token, user, tokens } = await signedInUser(store);
      // The refresh token dies (spent elsewhere), then the stored access token expires.
      await oauth.refreshAccessToken(tokens.refreshToken);
      await expireStored(user.id);
      standIn.faults.refuseGrantsAs(style);
      try {
        const error = await expectTRPCError(callerFor(store, token).tones.search({}), "UNAUTHORIZED");
        expect(error.message).toBe(
          "Tone 3000 refused the stored access (expired or revoked): sign in to Tone 3000 again",
        );
        expect(error.cause).toBeInstanceOf(Tone3000SignInRequiredError);
        expect((error.cause as Tone3000SignInRequiredError).reason).toBe("revoked");
      } finally {
        standIn.faults.refuseGrantsAs("rfc");
      }
      const row = await storedRow(user.id);
      expect(row.t3kAccessToken).toBeNull();
      expect(row.t3kRefreshToken).toBeNull();
      expect(refreshes).toHaveLength(1);
      // The next call does not ask Tone 3000 again.
      await expectTRPCError(callerFor(store, token).tones.favorites({}), "UNAUTHORIZED");
      expect(refreshes).toHaveLength(1);
    });
  }

  it("tones.models lists every architecture the tone has (Tone 3000 lists A1 only unless asked), labelled, A1, A2 and custom renderable", async () => {
    const store = newStore();
    const { token } = await signedInUser(store);
    const caller = callerFor(store, token);
    const tone = await caller.tones.get({ id: 109 });
    expect(tone.counts).toEqual({ a1: 1, a2: 1, custom: 1, irs: 0 });
    const all = await caller.tones.models({ toneId: 109 });
    expect(all.total).toBe(3);
    expect(all.items.map((m) => [m.id, m.label, m.kind, m.renderable, m.unsupportedReason])).toEqual([
      [1011, "A1 · standard", "nam", true, null],
      [1012, "A2 · standard", "nam", true, null],
      [1013, "custom", "nam", true, null],
    ]);
    // One architecture when asked, as Tone 3000 answers it.
    const a2 = await caller.tones.models({ toneId: 109, architecture: "2" });
    expect(a2.items.map((m) => m.id)).toEqual([1012]);
    // Paged over the merged list.
    const second = await caller.tones.models({ toneId: 109, page: 2, pageSize: 2 });
    expect([second.total, second.totalPages, second.items.map((m) => m.id)]).toEqual([3, 2, [1013]]);
    // IR tones: sizes null in the detail, models labelled IR, not pickable as an amp.
    const irTone = await caller.tones.get({ id: 110 });
    expect([irTone.format, irTone.sizes, irTone.license, irTone.counts.irs]).toEqual(["ir", null, "t3k", 4]);
    const irs = await caller.tones.models({ toneId: 110 });
    expect(irs.items.map((m) => [m.label, m.kind, m.size, m.architecture, m.renderable])).toEqual(
      Array.from({ length: 4 }, () => ["IR", "ir", null, null, false]),
    );
    // Lists carry no licence, sizes or visibility (only the detail does): null, not a refusal.
    const listed = (await caller.tones.favorites({ pageSize: 25 })).items.find((t) => t.id === 110)!;
    expect([listed.license, listed.sizes, listed.isPublic, listed.counts.irs]).toEqual([null, null, null, 4]);
  });

  it("tones.modelInfo says what a model is (A2: two sizes, receptive field, rate); an IR is refused naming the file", async () => {
    const store = newStore();
    const { token } = await signedInUser(store);
    const caller = callerFor(store, token);
    const info = await caller.tones.modelInfo({ modelId: 1012 });
    expect([info.architecture, info.family, info.sampleRate, info.receptiveField]).toEqual([
      "SlimmableContainer",
      "A2",
      48000,
      6347,
    ]);
    expect(info.sizes.map((x) => x.label)).toEqual(["WaveNet 3 ch", "WaveNet 8 ch"]);
    const error = await expectTRPCError(caller.tones.modelInfo({ modelId: 1014 }), "BAD_REQUEST");
    expect(error.message).toBe(
      "modelId: 'ampeg.wav' is not a valid .nam model: the .nam file is not valid JSON",
    );
  });

  it("without a Tone 3000 client factory, tones.* is PRECONDITION_FAILED; signed out, UNAUTHORIZED", async () => {
    const { token } = await createTestUser(t.db);
    await expectTRPCError(createTestCaller(t.db, token).tones.search({}), "PRECONDITION_FAILED");
    const store = newStore();
    await expectTRPCError(callerFor(store, "nope").tones.search({}), "UNAUTHORIZED");
  });
});
