import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobQueue } from "@shootout/jobs";
import type { AppRouter } from "@shootout/router";
import { createLocalStorage } from "@shootout/storage";
import { createTokenCipher, generateTokenCipherKey } from "@shootout/tone3000";
import { createTRPCClient, httpLink } from "@trpc/client";
import type { PgBoss } from "pg-boss";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { setSessionCookie } from "../src/http/session-cookie.ts";
import { type ApiServer, createApiServer } from "../src/server.ts";
import { startTone3000Services, type Tone3000Services } from "../src/tone3000/tone3000-services.ts";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { httpClient, trpcCodeOf } from "./helpers/clients.ts";
import { CookieJar } from "./helpers/cookie-jar.ts";
import { errorBody, upload, uploadedFile } from "./helpers/upload.ts";

const KEY = generateTokenCipherKey();
const cipher = createTokenCipher(KEY);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

let database: TestDatabase;
let boss: PgBoss;
let t3k: Tone3000Services;
let api: ApiServer;
let base: string;
const storageDir = mkdtempSync(path.join(os.tmpdir(), "shootout-auth-test-"));

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    TOKEN_ENCRYPTION_KEY: KEY,
    PORT: String(port),
    // Embedded: the stand-in's state file goes beside this (temporary) data directory.
    PGLITE_DATA_DIR: path.join(storageDir, ".data", "pglite"),
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  database = await createTestDatabase();
  boss = createBoss(database, { supervise: false, schedule: false, migrate: false });
  await boss.start();
  // Embedded Tone 3000: TONE3000_BASE_URL unset, so the stand-in runs in-process.
  t3k = await startTone3000Services({ env, db: database.db, log });
  api = createApiServer({
    env,
    database,
    storage: createLocalStorage(storageDir),
    log,
    context: { jobQueue: createJobQueue(boss), tone3000: t3k.tone3000 },
    routes: t3k.routes,
  });
  expect(await api.listen(port, "127.0.0.1")).toBe(base);
});

afterAll(async () => {
  await api?.close();
  await t3k?.close();
  await boss?.stop({ graceful: false });
  await database?.close();
  rmSync(storageDir, { recursive: true, force: true });
});

beforeEach(() => {
  t3k.standIn?.faults.clear();
});

/** A tRPC client riding a browser's cookie jar (and optionally posing as some page's origin). */
function cookieClient(jar: CookieJar, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/trpc`,
        headers: () => ({ cookie: jar.header("/trpc"), ...headers }),
        fetch: async (url, init) => {
          const response = await fetch(url, init);
          jar.take(response);
          return response;
        },
      }),
    ],
  });
}

interface LoginSteps {
  /** The API's answer to /auth/login. */
  login: Response;
  /** Where Tone 3000 sent the browser back (our /auth/callback?code&state). */
  callbackUrl: string;
  /** The login's own cookies as they were right before the callback. */
  loginCookies: { state: string; verifier: string; next: string };
}

/** /auth/login → Tone 3000 authorize (auto-approved) → stops before our callback. */
async function startLogin(jar: CookieJar, query = ""): Promise<LoginSteps> {
  const login = await jar.fetch(`${base}/auth/login${query}`);
  expect(login.status).toBe(302);
  const authorize = new URL(login.headers.get("location")!);
  expect(authorize.origin).toBe(t3k.baseUrl);
  // Tone 3000 is another site: the jar's cookies do not go there.
  const approved = await fetch(authorize, { redirect: "manual" });
  expect(approved.status).toBe(302);
  const callbackUrl = approved.headers.get("location")!;
  expect(callbackUrl.startsWith(`${base}/auth/callback?`)).toBe(true);
  return {
    login,
    callbackUrl,
    loginCookies: {
      state: jar.get("t3k_oauth_state")!,
      verifier: jar.get("t3k_oauth_verifier")!,
      next: jar.get("t3k_oauth_next")!,
    },
  };
}

async function login(jar: CookieJar, query = ""): Promise<Response> {
  const { callbackUrl } = await startLogin(jar, query);
  return jar.fetch(callbackUrl);
}

async function errorOf(response: Response) {
  return errorBody.parse(await response.json()).error;
}

describe("login with Tone 3000 (stand-in) over real HTTP", () => {
  it("PKCE S256 + state, short-lived httpOnly login cookies, exact redirect URI", async () => {
    const jar = new CookieJar();
    const { login: answer } = await startLogin(jar, "?returnTo=/shootouts/7");
    const authorize = new URL(answer.headers.get("location")!);
    expect(authorize.pathname).toBe("/api/v1/oauth/authorize");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/auth/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toBe(jar.get("t3k_oauth_state"));
    expect(authorize.searchParams.get("code_challenge")).not.toBe(jar.get("t3k_oauth_verifier"));
    for (const name of ["t3k_oauth_state", "t3k_oauth_verifier", "t3k_oauth_next"]) {
      const raw = jar.raw(name)!;
      expect(raw).toMatch(/HttpOnly/);
      expect(raw).toMatch(/SameSite=Lax/);
      expect(raw).toMatch(/Max-Age=600/);
      expect(raw).toMatch(/Path=\/auth/);
    }
  });

  it("signs in: session cookie, auth.me is the stand-in's local user, tokens stored encrypted", async () => {
    const jar = new CookieJar();
    const done = await login(jar, "?returnTo=/shootouts/7?tab=metrics");
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/shootouts/7?tab=metrics");
    const raw = jar.raw("session")!;
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Lax/);
    expect(raw).toMatch(/Path=\//);
    expect(raw).not.toMatch(/Secure/); // PUBLIC_URL is plain http here
    // The login cookies are gone.
    expect(jar.names().sort()).toEqual(["session"]);

    const me = await cookieClient(jar).auth.me.query();
    expect(me?.user.tone3000Id).toBe("local-user");
    expect(me?.user.username).toBe("local");

    const row = await database.db
      .selectFrom("users")
      .select(["id", "t3kAccessToken", "t3kRefreshToken", "t3kTokenExpiresAt"])
      .where("tone3000Id", "=", "local-user")
      .executeTakeFirstOrThrow();
    expect(row.t3kAccessToken).toMatch(/^v1\./);
    expect(row.t3kAccessToken).not.toContain("t3k_at_");
    expect(cipher.decrypt(row.t3kAccessToken!, row.id)).toMatch(/^t3k_at_/);
    expect(cipher.decrypt(row.t3kRefreshToken!, row.id)).toMatch(/^t3k_rt_/);
    expect(row.t3kTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());

    // And Tone 3000 works for them through the stored tokens.
    const page = await cookieClient(jar).tones.search.query({ query: "crunch" });
    expect(page.items.map((tone) => tone.title)).toContain("Local Feather Crunch");
  });

  it("?as= picks which stand-in user signs in (login_hint): two browsers, two players, each their own", async () => {
    const guestBrowser = new CookieJar();
    const { login: answer } = await startLogin(guestBrowser, "?as=guest&returnTo=/mine");
    expect(new URL(answer.headers.get("location")!).searchParams.get("login_hint")).toBe("guest");
    const localBrowser = new CookieJar();
    await login(localBrowser);
    // The guest's login finishes after the local one started: nothing mixes.
    const { callbackUrl } = await startLogin(guestBrowser, "?as=guest");
    expect((await guestBrowser.fetch(callbackUrl)).status).toBe(302);
    const guest = cookieClient(guestBrowser);
    const local = cookieClient(localBrowser);
    expect((await guest.auth.me.query())?.user).toMatchObject({
      tone3000Id: "guest-user",
      username: "guest",
    });
    expect((await local.auth.me.query())?.user).toMatchObject({ tone3000Id: "local-user" });
    // Tone 3000 acts for each with their own grant: their own tones, private to them.
    expect((await guest.tones.mine.query()).items.map((t) => t.id)).toEqual([111]);
    expect(await trpcCodeOf(local.tones.get.query({ id: 111 }))).toBe("FORBIDDEN");
    // A control character in ?as= is refused before anything is sent to Tone 3000.
    const bad = await new CookieJar().fetch(`${base}/auth/login?as=${encodeURIComponent("gu\u0000est")}`);
    expect(bad.status).toBe(400);
  });

  it("every login is a new session; a browser's previous one ends, other browsers' stay", async () => {
    const laptop = new CookieJar();
    await login(laptop);
    const first = laptop.get("session")!;
    await login(laptop);
    const second = laptop.get("session")!;
    expect(second).not.toBe(first);
    expect(await httpClient(base, first).auth.me.query()).toBeNull();
    expect((await httpClient(base, second).auth.me.query())?.user.username).toBe("local");

    const phone = new CookieJar();
    await login(phone);
    expect((await cookieClient(laptop).auth.me.query())?.session.id).not.toBe(
      (await cookieClient(phone).auth.me.query())?.session.id,
    );
    expect(await cookieClient(laptop).auth.me.query()).not.toBeNull();
  });

  it("?mode=token shows a session token once, for scripts; it works as a Bearer for tRPC and /files", async () => {
    const jar = new CookieJar();
    const done = await login(jar, "?mode=token");
    expect(done.status).toBe(200);
    expect(done.headers.get("cache-control")).toBe("no-store");
    const body = z.object({ token: z.string(), expiresAt: z.iso.datetime() }).parse(await done.json());
    expect(jar.get("session")).toBeUndefined();

    const script = httpClient(base, body.token);
    expect((await script.auth.me.query())?.user.tone3000Id).toBe("local-user");
    expect((await script.tones.favorites.query({})).items.length).toBe(4);
    const uploaded = await upload(base, body.token, wavBytes(), { kind: "di", name: "script.wav" });
    expect(uploaded.status).toBe(201);
    const file = uploadedFile.parse(await uploaded.json());
    // A Bearer call carries no Origin: CSRF rules do not apply to it. It can end its own session.
    await script.auth.logout.mutate();
    expect(await script.auth.me.query()).toBeNull();
    const after = await fetch(`${base}/files/${file.id}`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(after.status).toBe(401);
  });

  it("auth.logout ends the session and clears the cookie", async () => {
    const jar = new CookieJar();
    await login(jar);
    const token = jar.get("session")!;
    await cookieClient(jar, { origin: base }).auth.logout.mutate();
    expect(jar.get("session")).toBeUndefined();
    expect(await httpClient(base, token).auth.me.query()).toBeNull();
  });

  it("an expired session is signed out", async () => {
    const jar = new CookieJar();
    await login(jar);
    const me = await cookieClient(jar).auth.me.query();
    await database.db
      .updateTable("sessions")
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where("id", "=", me!.session.id)
      .execute();
    expect(await cookieClient(jar).auth.me.query()).toBeNull();
    expect(await trpcCodeOf(cookieClient(jar).tones.search.query({}))).toBe("UNAUTHORIZED");
  });

  it("a session that slides re-sends its cookie with the new lifetime; nothing is sent otherwise", async () => {
    const jar = new CookieJar();
    await login(jar);
    const token = jar.get("session")!;
    const me = await cookieClient(jar).auth.me.query();
    const ttlSeconds = 30 * 24 * 60 * 60;
    const ageTo = (daysLeft: number) =>
      database.db
        .updateTable("sessions")
        .set({ expiresAt: new Date(Date.now() + daysLeft * 24 * 60 * 60 * 1000) })
        .where("id", "=", me!.session.id)
        .execute();
    const sessionCookieOf = (response: Response) =>
      response.headers.getSetCookie().filter((c) => c.startsWith("session="));
    const maxAge = (cookie: string) => Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    const call = (headers: Record<string, string>) =>
      fetch(`${base}/trpc/auth.me?batch=1&input=${encodeURIComponent("{}")}`, { headers });

    // More than half the lifetime left: no write, no cookie.
    expect(sessionCookieOf(await call({ cookie: `session=${token}` }))).toEqual([]);

    // Less than half left: extended, and the browser hears of it, on a plain batch…
    await ageTo(3);
    const plain = sessionCookieOf(await call({ cookie: `session=${token}` }));
    expect(plain).toHaveLength(1);
    expect(plain[0]!.startsWith(`session=${token};`)).toBe(true);
    expect(maxAge(plain[0]!)).toBeGreaterThan(ttlSeconds - 60);
    expect(plain[0]).toMatch(/HttpOnly/);
    // …on a streamed batch (httpBatchStreamLink, the web app's link), whose headers go out first…
    await ageTo(3);
    const streamed = await call({ cookie: `session=${token}`, "trpc-accept": "application/jsonl" });
    expect(streamed.headers.get("transfer-encoding")).toBe("chunked");
    expect(sessionCookieOf(streamed)).toHaveLength(1);
    await streamed.text();
    // …and on a plain route (a download).
    await ageTo(3);
    const download = await fetch(`${base}/files/00000000-0000-4000-8000-000000000000`, {
      headers: { cookie: `session=${token}` },
    });
    expect(download.status).toBe(404);
    expect(maxAge(sessionCookieOf(download)[0]!)).toBeGreaterThan(ttlSeconds - 60);

    // A Bearer caller has no cookie to renew: the session slides, no cookie is set.
    await ageTo(3);
    const bearer = await call({ authorization: `Bearer ${token}` });
    expect(sessionCookieOf(bearer)).toEqual([]);
    const row = await database.db
      .selectFrom("sessions")
      .select("expiresAt")
      .where("id", "=", me!.session.id)
      .executeTakeFirstOrThrow();
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + (ttlSeconds - 60) * 1000);
  });

  it("reads the __Host- cookie name that https deployments use", async () => {
    const jar = new CookieJar();
    await login(jar);
    const token = jar.get("session")!;
    const secure = setSessionCookie({ secure: true }, token, 60);
    expect(secure).toMatch(/^__Host-session=/);
    expect(secure).toMatch(/; Secure/);
    expect(secure).toMatch(/Path=\/;/);
    const hostJar = new CookieJar();
    hostJar.set("__Host-session", token);
    expect((await cookieClient(hostJar).auth.me.query())?.user.username).toBe("local");
  });

  it("sends a login started on another host name to the canonical one first", async () => {
    const port = new URL(base).port;
    const { status, location } = await new Promise<{ status: number; location: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/auth/login?returnTo=/x",
            headers: { host: `localhost:${port}` },
          },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, location: res.headers.location });
          },
        );
        req.on("error", reject);
        req.end();
      },
    );
    expect(status).toBe(302);
    expect(location).toBe(`${base}/auth/login?returnTo=/x`);
  });
});

describe("login refusals", () => {
  it.each([
    ["protocol-relative", "//evil.example/x"],
    ["absolute URL", "https://evil.example/x"],
    ["backslash", "/\\evil.example"],
    ["leading backslashes", "\\\\evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["relative without slash", "evil"],
  ])("a foreign returnTo (%s) is a 400, and no login starts", async (_, returnTo) => {
    const jar = new CookieJar();
    const answer = await jar.fetch(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/returnTo/);
    expect(jar.names()).toEqual([]);
  });

  it("a callback without the login's cookies (not started here, or too late) is a 400", async () => {
    const { callbackUrl } = await startLogin(new CookieJar());
    const stranger = new CookieJar();
    const answer = await stranger.fetch(callbackUrl);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/not started here/);
    expect(stranger.get("session")).toBeUndefined();
  });

  it("a wrong or missing state is a 400 and clears the login cookies", async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await startLogin(jar);
    const wrong = new URL(callbackUrl);
    wrong.searchParams.set("state", "forged-state");
    const answer = await jar.fetch(wrong.toString());
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/state does not match/);
    expect(jar.names()).toEqual([]);

    const jar2 = new CookieJar();
    const second = new URL((await startLogin(jar2)).callbackUrl);
    second.searchParams.delete("state");
    expect((await jar2.fetch(second.toString())).status).toBe(400);
    expect(jar2.get("session")).toBeUndefined();
  });

  it("a tampered code verifier is refused by Tone 3000: 400", async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await startLogin(jar);
    jar.set("t3k_oauth_verifier", "x".repeat(64), "/auth");
    const answer = await jar.fetch(callbackUrl);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/refused the sign-in code/);
    expect(jar.get("session")).toBeUndefined();
  });

  it("a reused code is a 400, and Tone 3000 revokes what the code bought", async () => {
    const jar = new CookieJar();
    const { callbackUrl, loginCookies } = await startLogin(jar);
    expect((await jar.fetch(callbackUrl)).status).toBe(302);
    const victim = cookieClient(jar);
    expect((await victim.tones.mine.query()).items.length).toBe(2);

    // An attacker replays the same callback, with the same login cookies.
    const replay = new CookieJar();
    replay.set("t3k_oauth_state", loginCookies.state, "/auth");
    replay.set("t3k_oauth_verifier", loginCookies.verifier, "/auth");
    replay.set("t3k_oauth_next", loginCookies.next, "/auth");
    const answer = await replay.fetch(callbackUrl);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/refused the sign-in code/);
    expect(replay.get("session")).toBeUndefined();
    // Our session is still ours, but the Tone 3000 grant is dead: sign in again.
    expect(await victim.auth.me.query()).not.toBeNull();
    expect(await trpcCodeOf(victim.tones.mine.query())).toBe("UNAUTHORIZED");
  });

  it("?error=access_denied from Tone 3000 is a 400 saying so", async () => {
    const jar = new CookieJar();
    await startLogin(jar);
    const state = jar.get("t3k_oauth_state")!;
    const answer = await jar.fetch(
      `${base}/auth/callback?error=access_denied&state=${encodeURIComponent(state)}`,
    );
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).message).toMatch(/access_denied/);
  });

  it("Tone 3000 down during the callback is an answer, not a crash", async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await startLogin(jar);
    t3k.standIn!.faults.next({ path: "/api/v1/user", status: 500, body: { error: "boom" } });
    const answer = await jar.fetch(callbackUrl);
    expect(answer.status).toBe(503);
    expect((await errorOf(answer)).message).toMatch(/could not complete the sign-in/);
    expect(jar.get("session")).toBeUndefined();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe("CSRF: the session cookie only counts for our own pages", () => {
  it("a cookie-authenticated mutation from another origin is refused: 403, saying why", async () => {
    const jar = new CookieJar();
    await login(jar);
    const evil = cookieClient(jar, { origin: "https://evil.example" });
    expect(await trpcCodeOf(evil.auth.logout.mutate())).toBe("FORBIDDEN");
    await expect(evil.auth.logout.mutate()).rejects.toThrow(/not accepted on requests from another site/);
    // No Origin but a cross-site fetch (Sec-Fetch-Site): refused as well.
    const sneaky = cookieClient(jar, { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" });
    expect(await trpcCodeOf(sneaky.auth.logout.mutate())).toBe("FORBIDDEN");
    // A link the user follows from another site (a navigation) still counts as them. (Raw
    // node:http: fetch sets its own Sec-Fetch-Mode.)
    const followed = await new Promise<string>((resolve, reject) => {
      const url = new URL(`${base}/trpc/auth.me`);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: {
            cookie: jar.header("/trpc"),
            "sec-fetch-site": "cross-site",
            "sec-fetch-mode": "navigate",
          },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on("end", () => resolve(body));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(followed).toContain('"username":"local"');
    // The session survived both.
    expect(await cookieClient(jar, { origin: base }).auth.me.query()).not.toBeNull();
    // Uploads too.
    const forged = await fetch(`${base}/files?kind=di&name=x.wav`, {
      method: "POST",
      headers: { cookie: jar.header("/files"), origin: "https://evil.example" },
      body: wavBytes(),
    });
    expect(forged.status).toBe(403);
    expect((await errorOf(forged)).code).toBe("FORBIDDEN");
    const rows = await database.db.selectFrom("files").select("id").where("name", "=", "x.wav").execute();
    expect(rows).toEqual([]);
  });

  it("our own origin with the cookie, and a Bearer with no origin, may mutate", async () => {
    const jar = new CookieJar();
    await login(jar);
    const token = jar.get("session")!;
    const sessions = await cookieClient(jar, {
      origin: base,
      "sec-fetch-site": "same-origin",
    }).auth.sessions.list.query();
    const other = new CookieJar();
    await login(other);
    const otherId = (await cookieClient(other).auth.me.query())!.session.id;
    expect(sessions.some((s) => s.current)).toBe(true);
    await cookieClient(jar, { origin: base }).auth.sessions.revoke.mutate({ sessionId: otherId });
    expect(await cookieClient(other).auth.me.query()).toBeNull();
    await httpClient(base, token).auth.logout.mutate();
    expect(await cookieClient(jar).auth.me.query()).toBeNull();
  });
});
