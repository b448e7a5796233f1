import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeWav, encodeWav } from "@shootout/audio";
import { loadEnv } from "@shootout/config";
import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { createJobEventHub, createJobQueue, ensureQueues, RENDER_QUEUE } from "@shootout/jobs";
import {
  type AppRouter,
  createTone3000ClientFactory,
  createTone3000TokenStore,
  type RenderCapabilities,
} from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { type Storage, storageFromSettings } from "@shootout/storage";
import { type S3TestServer, startS3TestServer } from "@shootout/storage/testing";
import {
  createTokenCipher,
  createTone3000OAuth,
  createTone3000StandIn,
  DEFAULT_STAND_IN_CLIENT,
  generateCodeVerifier,
  generateState,
  generateTokenCipherKey,
  type Tone3000StandIn,
} from "@shootout/tone3000";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import type { PgBoss } from "pg-boss";
import { pino } from "pino";
// By path, not as workspace dependencies: the worker depends on this package (a cycle otherwise).
import { createApiServer } from "../../../apps/api/src/index.ts";
import { type RunningWorker, startWorker } from "../../../apps/worker/src/index.ts";
import {
  createRenderPool,
  createShootoutPipeline,
  type RenderPool,
  type ShootoutPipeline,
} from "../src/index.ts";
import { REFERENCE_DI } from "./reference-take.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../../..");
export const CATALOG = path.join(REPO, "packages/tone3000/catalog");

/** A short DI (2.5 s of the reference take) as a stereo WAV at 44.1 kHz, to exercise mono sum and resampling. */
export function shortDiWav(seconds = 2.5): Uint8Array {
  const di = decodeWav(readFileSync(REFERENCE_DI)).channels[0]!;
  const start = 48_000;
  const left = di.slice(start, start + Math.round(seconds * 44_100));
  const right = left.map((v) => v * 0.8);
  return encodeWav([left, right], 44_100, "pcm24");
}

/** Performs the real PKCE login against the stand-in (it auto-approves its local user). */
export async function loginToStandIn(standIn: Tone3000StandIn) {
  const redirectUri = DEFAULT_STAND_IN_CLIENT.redirectUris[0]!;
  const oauth = createTone3000OAuth({
    baseUrl: standIn.url,
    clientId: DEFAULT_STAND_IN_CLIENT.clientId,
    redirectUri,
  });
  const verifier = generateCodeVerifier();
  const state = generateState();
  const res = await fetch(oauth.createAuthorizationURL(state, verifier), { redirect: "manual" });
  const location = new URL(res.headers.get("location") ?? "");
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`stand-in did not authorize: ${location}`);
  return { oauth, tokens: await oauth.validateAuthorizationCode(code, verifier) };
}

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface Harness {
  readonly t: TestDatabase;
  /** The key the owner's Tone 3000 tokens are encrypted with (a worker process needs it). */
  readonly tokenKey: string;
  readonly storageDir: string;
  /** With storageBackend "s3": the S3 server (s3rver, in this process) whose bucket holds the bytes. */
  readonly s3: S3TestServer | null;
  /** The owner's Tone 3000 access token as stored (tests expire it at the stand-in). */
  readonly accessToken: string;
  readonly url: string;
  readonly standIn: Tone3000StandIn;
  readonly storage: Storage;
  readonly pool: RenderPool;
  readonly owner: { id: string; token: string };
  readonly client: Client;
  /** A client for another user (a signed-in stranger). */
  clientFor(token: string): Client;
  close(): Promise<void>;
}

/**
 * The product in this process, as embedded mode wires it: a real API server (HTTP + WebSocket,
 * job event hub), a real worker running the real pipeline, the Tone 3000 stand-in, a test
 * database (PGlite, or a Postgres clone with TEST_DATABASE_URL), and a signed-in owner whose
 * Tone 3000 tokens came from a real login against the stand-in.
 */
export async function startHarness(
  options: {
    capabilities?: Partial<RenderCapabilities>;
    inProcessWorker?: boolean;
    ffmpegPath?: string;
    /** STORAGE_BACKEND of the API and in-process worker (default: a local directory). */
    storageBackend?: "local" | "database" | "s3";
  } = {},
): Promise<Harness> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const standIn = await createTone3000StandIn({ port: 0, rateLimitPerMinute: 100_000 });
  const t = await createTestDatabase();
  const boss: PgBoss = createBoss(t, { supervise: false, schedule: false });
  await boss.start();
  await ensureQueues(boss);
  // A failed render is not retried here: failures must show at once.
  await boss.updateQueue(RENDER_QUEUE, { retryLimit: 0 });
  const storageDir = mkdtempSync(path.join(os.tmpdir(), "shootout-pipeline-"));
  const s3 = options.storageBackend === "s3" ? await startS3TestServer() : null;
  const storage = storageFromSettings(
    s3
      ? loadEnv({ ...s3.env, STORAGE_DIR: storageDir })
      : { STORAGE_BACKEND: options.storageBackend ?? "local", STORAGE_DIR: storageDir },
    t,
  );
  const tokenKey = generateTokenCipherKey();
  const tokens = createTone3000TokenStore({
    db: t.db,
    cipher: createTokenCipher(tokenKey),
    refresh: (rt) => login.oauth.refreshAccessToken(rt),
  });
  const login = await loginToStandIn(standIn);
  const tone3000 = createTone3000ClientFactory({
    baseUrl: standIn.url,
    tokens,
    retryBaseDelayMs: 5,
    maxRetryDelayMs: 50,
  });
  const hub = await createJobEventHub(t, log);
  const api = createApiServer({
    env: loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent" }),
    database: t,
    storage,
    log,
    context: {
      jobQueue: createJobQueue(boss),
      events: hub,
      tone3000,
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    },
  });
  const url = await api.listen(0, "127.0.0.1");
  const pool = createRenderPool();
  const pipeline: ShootoutPipeline = createShootoutPipeline({
    tone3000,
    pool,
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
    ...(options.capabilities?.maxDiSeconds ? { maxDiSeconds: options.capabilities.maxDiSeconds } : {}),
  });
  const worker: RunningWorker | null =
    options.inProcessWorker === false
      ? null
      : await startWorker({
          database: t,
          boss,
          storage,
          log,
          pipeline,
          concurrency: 1,
          progressIntervalMs: 20,
          pollingIntervalSeconds: 1,
        });
  const { user, token } = await createTestUser(t.db);
  await tokens.save(user.id, login.tokens);
  const sockets: ReturnType<typeof createWSClient>[] = [];
  const clientFor = (bearer: string): Client => {
    const ws = createWSClient({
      url: `${url.replace("http", "ws")}/trpc`,
      connectionParams: { token: bearer },
    });
    sockets.push(ws);
    return createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: wsLink({ client: ws }),
          false: httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${bearer}` } }),
        }),
      ],
    });
  };
  return {
    t,
    tokenKey,
    storageDir,
    s3,
    accessToken: login.tokens.accessToken,
    url,
    standIn,
    storage,
    pool,
    owner: { id: user.id, token },
    client: clientFor(token),
    clientFor,
    async close() {
      for (const s of sockets) await s.close();
      await api.close();
      await worker?.stop(0);
      await pool.close();
      await hub.close();
      await boss.stop({ graceful: false });
      await t.close();
      await standIn.close();
      await s3?.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** POST /files?kind=…&name=… as the owner; the file's id. */
export async function uploadFile(
  h: Harness,
  bytes: Uint8Array,
  kind: "di" | "ir",
  name: string,
): Promise<string> {
  const res = await fetch(`${h.url}/files?${new URLSearchParams({ kind, name })}`, {
    method: "POST",
    headers: { authorization: `Bearer ${h.owner.token}` },
    body: bytes,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: string };
  return body.id;
}

/** GET /files/:id as the owner. */
export async function downloadFile(h: Harness, fileId: string): Promise<Uint8Array> {
  const res = await fetch(`${h.url}/files/${fileId}`, {
    headers: { authorization: `Bearer ${h.owner.token}` },
  });
  if (res.status !== 200) throw new Error(`download failed: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export interface ProgressEvent {
  status: string;
  progress: number;
  message: string;
}

/** Follows jobs.onProgress until the server ends the stream (the job is final). */
export function followJob(
  client: Client,
  jobId: string,
  onEvent?: (e: ProgressEvent) => void,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    client.jobs.onProgress.subscribe(
      { jobId },
      {
        onData(tracked) {
          const e = {
            status: tracked.data.status,
            progress: tracked.data.progress,
            message: tracked.data.message,
          };
          events.push(e);
          onEvent?.(e);
        },
        onComplete: () => resolve(events),
        onError: reject,
      },
    );
  });
}
