import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadEnv } from "@shootout/config";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { completeTone3000Login } from "@shootout/router";
import {
  DEFAULT_STAND_IN_CLIENT,
  generateCodeVerifier,
  generateState,
  generateTokenCipherKey,
} from "@shootout/tone3000";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAND_IN_STATE_FILE, standInStateFile } from "../src/tone3000/stand-in-state.ts";
import { resolveTokenKey, TOKEN_KEY_FILE } from "../src/tone3000/token-key.ts";
import {
  defaultPublicUrl,
  startTone3000Services,
  type Tone3000Services,
} from "../src/tone3000/tone3000-services.ts";

const log = pino({ level: "silent" });
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "shootout-t3k-services-"));
  dirs.push(dir);
  return dir;
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the token key", () => {
  it("embedded without TOKEN_ENCRYPTION_KEY: generated once, kept beside the PGlite directory, reused", () => {
    const root = tempDir();
    const env = loadEnv({ PGLITE_DATA_DIR: path.join(root, ".data", "pglite") });
    const first = resolveTokenKey(env);
    const file = path.join(root, ".data", TOKEN_KEY_FILE);
    expect(first.source).toEqual({ file, created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = first.cipher.encrypt("t3k_rt_secret", "user-1");

    // A restart reads the same key: what was stored can still be read.
    const second = resolveTokenKey(env);
    expect(second.source).toEqual({ file, created: false });
    expect(second.cipher.decrypt(sealed, "user-1")).toBe("t3k_rt_secret");
    expect(readFileSync(file, "utf8").trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("TOKEN_ENCRYPTION_KEY wins, and no file is written", () => {
    const root = tempDir();
    const env = loadEnv({
      TOKEN_ENCRYPTION_KEY: generateTokenCipherKey(),
      PGLITE_DATA_DIR: path.join(root, "pg"),
    });
    expect(resolveTokenKey(env).source).toBe("env");
    expect(() => statSync(path.join(root, TOKEN_KEY_FILE))).toThrow();
  });

  it("DATABASE_URL without TOKEN_ENCRYPTION_KEY refuses to start, saying what to do", () => {
    const env = loadEnv({ DATABASE_URL: "postgres://db.example/shootout" });
    expect(() => resolveTokenKey(env)).toThrow(ConfigError);
    expect(() => resolveTokenKey(env)).toThrow(/TOKEN_ENCRYPTION_KEY: required with DATABASE_URL/);
  });
});

describe("Tone 3000 services", () => {
  it("TONE3000_BASE_URL unset: the stand-in runs in-process, registered for our exact callback", async () => {
    const root = tempDir();
    const env = loadEnv({ PGLITE_DATA_DIR: path.join(root, ".data", "pglite"), PORT: "4123" });
    const services = await startTone3000Services({ env, db: database.db, log });
    try {
      expect(services.standIn).not.toBeNull();
      expect(services.baseUrl).toMatch(/^http:\/\/localhost:\d+$/); // 127.0.0.1, named so it has a www. twin
      expect(services.clientId).toBe(DEFAULT_STAND_IN_CLIENT.clientId);
      expect(services.redirectUri).toBe("http://127.0.0.1:4123/auth/callback");
      expect((await fetch(`${services.baseUrl}/healthz`)).status).toBe(200);
      // The stand-in sends the browser back to that callback, and nowhere else.
      const authorize = new URL("/api/v1/oauth/authorize", services.baseUrl);
      authorize.search = new URLSearchParams({
        client_id: services.clientId,
        redirect_uri: services.redirectUri,
        response_type: "code",
        state: "s",
        code_challenge: "a".repeat(43),
        code_challenge_method: "S256",
      }).toString();
      const ok = await fetch(authorize, { redirect: "manual" });
      expect(ok.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:4123\/auth\/callback\?code=/);
      authorize.searchParams.set("redirect_uri", "http://127.0.0.1:9999/auth/callback");
      expect((await fetch(authorize, { redirect: "manual" })).status).toBe(400);
      expect(services.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
        "GET /auth/login",
        "GET /auth/callback",
      ]);
    } finally {
      await services.close();
    }
    await expect(fetch(`${services.baseUrl}/healthz`)).rejects.toThrow();
  });

  it("TONE3000_BASE_URL set: no stand-in; the client id is required", async () => {
    const key = generateTokenCipherKey();
    const env = loadEnv({ TONE3000_BASE_URL: "https://www.tone3000.com", TOKEN_ENCRYPTION_KEY: key });
    await expect(startTone3000Services({ env, db: database.db, log })).rejects.toThrow(/TONE3000_CLIENT_ID/);
    const configured = await startTone3000Services({
      env: loadEnv({
        TONE3000_BASE_URL: "https://www.tone3000.com",
        TONE3000_CLIENT_ID: "t3k_pub_mine",
        TOKEN_ENCRYPTION_KEY: key,
        PUBLIC_URL: "https://shootout.example/",
      }),
      db: database.db,
      log,
    });
    expect(configured.standIn).toBeNull();
    expect(configured.redirectUri).toBe("https://shootout.example/auth/callback");
    await configured.close();
  });

  it("without PUBLIC_URL the callback is on HOST:PORT (a wildcard host reads as localhost)", () => {
    expect(defaultPublicUrl(loadEnv({ HOST: "0.0.0.0", PORT: "3000" }))).toBe("http://localhost:3000");
    expect(defaultPublicUrl(loadEnv({ HOST: "::1", PORT: "3000" }))).toBe("http://[::1]:3000");
  });
});

describe("embedded restarts keep users' Tone 3000 grants", () => {
  /** The browser's part of the login, headless: the stand-in approves its local user at once. */
  async function signIn(services: Tone3000Services) {
    const verifier = generateCodeVerifier();
    const state = generateState();
    const answer = await fetch(services.oauth.createAuthorizationURL(state, verifier), {
      redirect: "manual",
    });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe(state);
    const tokens = await services.oauth.validateAuthorizationCode(back.searchParams.get("code")!, verifier);
    const profile = { id: "local-user", username: "local", avatar_url: null };
    return completeTone3000Login(database.db, services.tokens, tokens, profile);
  }

  it("the stand-in's grants live beside the PGlite directory: stored tokens work, and refresh, after a restart", async () => {
    const root = tempDir();
    const env = loadEnv({
      PGLITE_DATA_DIR: path.join(root, ".data", "pglite"),
      TOKEN_ENCRYPTION_KEY: generateTokenCipherKey(),
    });
    const first = await startTone3000Services({ env, db: database.db, log });
    const user = await signIn(first);
    expect((await (await first.tone3000(user.id)).getUser()).id).toBe("local-user");
    await first.close();
    const file = path.join(root, ".data", STAND_IN_STATE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // `./shootout start` again: a new stand-in on a new port, the same database and state file.
    const second = await startTone3000Services({ env, db: database.db, log });
    try {
      expect(second.baseUrl).not.toBe(first.baseUrl);
      expect((await (await second.tone3000(user.id)).getUser()).username).toBe("local");
      // The access token runs out: the stored refresh token, issued before the restart, rotates.
      const before = await database.db
        .selectFrom("users")
        .select("t3kRefreshToken")
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow();
      await database.db
        .updateTable("users")
        .set({ t3kTokenExpiresAt: new Date(Date.now() - 1000) })
        .where("id", "=", user.id)
        .execute();
      expect((await (await second.tone3000(user.id)).getUser()).id).toBe("local-user");
      const after = await database.db
        .selectFrom("users")
        .select(["t3kRefreshToken", "t3kTokenExpiresAt"])
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow();
      expect(after.t3kRefreshToken).not.toBe(before.t3kRefreshToken);
      expect(after.t3kTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await second.close();
    }
  });

  it("with DATABASE_URL the in-process stand-in keeps no file", () => {
    const root = tempDir();
    const env = loadEnv({
      DATABASE_URL: "postgres://db.example/shootout",
      PGLITE_DATA_DIR: path.join(root, ".data", "pglite"),
    });
    expect(standInStateFile(env)).toBeUndefined();
    expect(standInStateFile(loadEnv({ PGLITE_DATA_DIR: path.join(root, "pg") }))).toBe(
      path.join(root, STAND_IN_STATE_FILE),
    );
  });
});
