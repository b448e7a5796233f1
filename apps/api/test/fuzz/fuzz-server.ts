import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobEventHub, createJobQueue, ensureQueues, type JobEventHub } from "@shootout/jobs";
import { createSession } from "@shootout/router";
import { createLocalStorage } from "@shootout/storage";
import { generateTokenCipherKey, type Tone3000StandIn } from "@shootout/tone3000";
import { type RunningWorker, startWorker } from "@shootout/worker";
import { createTestPipeline } from "@shootout/worker/testing";
import type { PgBoss } from "pg-boss";
import pino from "pino";
import { z } from "zod";
import { webAppRoutes } from "../../src/routes/web-app-routes.ts";
import { type ApiServer, createApiServer } from "../../src/server.ts";
import { startTone3000Services, type Tone3000Services } from "../../src/tone3000/tone3000-services.ts";
import { CookieJar } from "../helpers/cookie-jar.ts";

/** Calls per minute the fuzz server allows: high enough never to answer 429 to the fuzzer. */
export const FUZZ_RATE_LIMIT = 10_000_000;

export interface SignedInUser {
  readonly id: string;
  /** The session token the real sign-in showed (`/auth/login?mode=token`). */
  readonly token: string;
  readonly sessionId: string;
}

export interface FuzzServer {
  readonly url: string;
  readonly api: ApiServer;
  readonly database: TestDatabase;
  readonly storageDir: string;
  readonly standIn: Tone3000StandIn;
  readonly webDistDir: string;
  /** The job event hub live subscriptions register with (its listener count shows leaks). */
  readonly events: JobEventHub;
  /** What the server logged at error level or above (a failure it did not expect). */
  readonly errorLogs: { msg: string; err?: { message?: string } }[];
  /** Signs a catalogue user of the stand-in in through /auth/login → Tone 3000 → /auth/callback. */
  signIn(catalogUserId?: string): Promise<SignedInUser>;
  /** Another real session of `userId` (for calls that end one: auth.logout, sessions.revoke). */
  extraSession(userId: string): Promise<{ token: string; sessionId: string }>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

const tokenAnswer = z.object({ token: z.string().min(1) });
const meAnswer = z.object({
  result: z.object({
    data: z.object({ user: z.object({ id: z.uuid() }), session: z.object({ id: z.string() }) }),
  }),
});

/**
 * The API as `./shootout start` wires it, on a test database: tRPC (HTTP, WebSocket, SSE) with
 * live job events, the Tone 3000 login routes over the in-process stand-in, uploads, downloads,
 * health and the web app's routes (over a small stand-in build), with the rate limits raised so
 * the fuzzer is never throttled; a worker renders jobs with the test pipeline (about 100 ms each),
 * so jobs finish, streams carry events and finished jobs can be retried and deleted.
 */
export async function startFuzzServer(): Promise<FuzzServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), "shootout-fuzz-"));
  const storageDir = path.join(root, "storage");
  mkdirSync(storageDir, { recursive: true });
  const webDistDir = path.join(root, "web-dist");
  mkdirSync(path.join(webDistDir, "assets"), { recursive: true });
  writeFileSync(path.join(webDistDir, "index.html"), "<!doctype html><title>Shootout</title>");
  writeFileSync(path.join(webDistDir, "assets", "app-3f2a9c.js"), "console.log('app');");
  writeFileSync(path.join(webDistDir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");

  const port = await freePort();
  const env = loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    TOKEN_ENCRYPTION_KEY: generateTokenCipherKey(),
    PORT: String(port),
    HOST: "127.0.0.1",
    PGLITE_DATA_DIR: path.join(root, ".data", "pglite"),
    RATE_LIMIT_PER_MINUTE: String(FUZZ_RATE_LIMIT),
    MAX_UPLOAD_MB: "2",
  });
  // Kept in memory: an error logged is a failure the server did not expect, even when the client
  // never saw it (it went away first).
  const errorLogs: FuzzServer["errorLogs"] = [];
  const log = pino(
    { level: process.env.TEST_LOG_LEVEL ?? "warn" },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg: string; err?: { message?: string } };
        if (entry.level >= 50) errorLogs.push({ msg: entry.msg, ...(entry.err ? { err: entry.err } : {}) });
        if (process.env.TEST_LOG_LEVEL) process.stderr.write(line);
      },
    },
  );
  const database = await createTestDatabase();
  const boss: PgBoss = createBoss(database, { supervise: false, schedule: false, migrate: false });
  await boss.start();
  await ensureQueues(boss);
  const events: JobEventHub = await createJobEventHub(database, log);
  const t3k: Tone3000Services = await startTone3000Services({
    env,
    db: database.db,
    log,
    standIn: { rateLimitPerMinute: FUZZ_RATE_LIMIT },
  });
  const standIn = t3k.standIn;
  if (!standIn) throw new Error("the fuzz server needs the in-process Tone 3000 stand-in");
  const storage = createLocalStorage(storageDir);
  const worker: RunningWorker = await startWorker({
    database,
    boss,
    storage,
    log,
    pipeline: createTestPipeline(),
    concurrency: 2,
  });
  const api = createApiServer({
    env,
    database,
    storage,
    log,
    context: {
      jobQueue: createJobQueue(boss),
      tone3000: t3k.tone3000,
      events,
      capabilities: { video: false, maxDiSeconds: env.MAX_DI_SECONDS },
    },
    routes: [...t3k.routes, ...webAppRoutes({ distDir: webDistDir })],
  });
  const url = await api.listen(port, "127.0.0.1");

  async function signIn(catalogUserId?: string): Promise<SignedInUser> {
    const jar = new CookieJar();
    const login = await jar.fetch(`${url}/auth/login?mode=token`);
    if (login.status !== 302) throw new Error(`/auth/login answered ${login.status}`);
    const authorize = new URL(login.headers.get("location")!);
    let callback: string;
    if (catalogUserId === undefined) {
      // The stand-in approves its default user at once, as it does for a browser.
      const approved = await fetch(authorize, { redirect: "manual" });
      callback = approved.headers.get("location")!;
    } else {
      // Another catalogue user: the stand-in's authorization server issues the code for them.
      const p = authorize.searchParams;
      const code = standIn!.oauth.createCode({
        clientId: p.get("client_id")!,
        redirectUri: p.get("redirect_uri")!,
        codeChallenge: p.get("code_challenge")!,
        userId: catalogUserId,
      });
      const back = new URL(p.get("redirect_uri")!);
      back.search = new URLSearchParams({ code, state: p.get("state")! }).toString();
      callback = back.toString();
    }
    const answer = await jar.fetch(callback);
    if (answer.status !== 200)
      throw new Error(`/auth/callback answered ${answer.status}: ${await answer.text()}`);
    const { token } = tokenAnswer.parse(await answer.json());
    const me = await fetch(`${url}/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } });
    const { data } = meAnswer.parse(await me.json()).result;
    return { id: data.user.id, token, sessionId: data.session.id };
  }

  return {
    url,
    api,
    database,
    storageDir,
    standIn,
    webDistDir,
    events,
    errorLogs,
    signIn,
    async extraSession(userId) {
      const { token, session } = await createSession(database.db, userId, { userAgent: "fuzz" });
      return { token, sessionId: session.id };
    },
    async close() {
      await api.close();
      await worker.stop(0);
      await events.close();
      await t3k.close();
      await boss.stop({ graceful: false });
      await database.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
