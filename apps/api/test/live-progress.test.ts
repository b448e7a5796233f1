import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEnv } from "@shootout/config";
import type { TestDatabase } from "@shootout/db/testing";
import { createJobEventHub, type JobEventHub, type JobQueue, listJobEvents } from "@shootout/jobs";
import { createLiveWsClient, deadSocketNoticedWithinMs } from "@shootout/live-socket";
import { startPartitionProxy } from "@shootout/live-socket/testing";
import { type AppRouter, SSE_KEEP_ALIVE } from "@shootout/router";
import { createTestCaller, createTestUser } from "@shootout/router/testing";
import { createLocalStorage } from "@shootout/storage";
import { type RunningWorker, startWorker } from "@shootout/worker";
import { createTestPipeline, seedShootout, startTestQueue, waitFor } from "@shootout/worker/testing";
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  wsLink,
} from "@trpc/client";
import { isTrackedEnvelope } from "@trpc/server";
import { EventSource } from "eventsource";
import type { PgBoss } from "pg-boss";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, createApiServer } from "../src/server.ts";

const log = pino({ level: "silent" });

interface ReceivedEvent {
  id: string;
  seq: number;
  status: string;
  progress: number;
  message: string;
}

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

/**
 * Subscribes to jobs.onProgress and collects every event until the server ends the stream (the
 * job is final), an error, or `stopAfter` events (then unsubscribes, as a client going away).
 */
function collect(
  client: Client,
  input: { jobId: string; lastEventId?: string },
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<{ events: ReceivedEvent[]; ended: "complete" | "stopped" }> {
  return new Promise((resolve, reject) => {
    const events: ReceivedEvent[] = [];
    const sub = client.jobs.onProgress.subscribe(input, {
      onData(tracked) {
        events.push({ id: tracked.id, ...tracked.data });
        if (events.length >= stopAfter) {
          resolve({ events, ended: "stopped" });
          sub.unsubscribe();
        }
      },
      onComplete() {
        resolve({ events, ended: "complete" });
      },
      onError(error) {
        reject(error);
      },
    });
  });
}

/**
 * Follows a job's progress as a client would, keeping its events as they come: `settled` says
 * how the stream ended ("complete", or the error's message), or null while it is open.
 */
function follow(client: Client, jobId: string) {
  const received: ReceivedEvent[] = [];
  let outcome: string | null = null;
  const sub = client.jobs.onProgress.subscribe(
    { jobId },
    {
      onData: (tracked) => received.push({ id: tracked.id, ...tracked.data }),
      onComplete: () => {
        outcome ??= "complete";
      },
      onError: (error) => {
        outcome ??= error.message;
      },
    },
  );
  return { received, sub, settled: async () => outcome };
}

interface StatusEvent {
  id: string;
  jobId: string;
  seq: number;
  status: string;
  at: string;
}

/**
 * Subscribes to jobs.onMine and keeps its events as they come; `settled` resolves once the server
 * has started the subscription or refused it (`failure`).
 */
function watchMine(client: Client, input?: { lastEventId?: string }) {
  const events: StatusEvent[] = [];
  let failure: unknown = null;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const sub = client.jobs.onMine.subscribe(input, {
    onStarted: () => settle(),
    onData({ id, data }) {
      events.push({ id, jobId: data.jobId, seq: data.seq, status: data.status, at: data.at });
    },
    onError(error) {
      failure = error;
      settle();
    },
  });
  return {
    events,
    settled,
    failure: () => failure,
    stop: () => sub.unsubscribe(),
  };
}

const sawStatus = (events: StatusEvent[], jobId: string, status: string) =>
  events.some((e) => e.jobId === jobId && e.status === status);

// A real API server (HTTP + WebSocket) with the hub in its context, and a worker, in this one
// process: on PGlite this is the embedded mode's wiring; on Postgres, the server mode's.
describe("live job progress through a real API server", () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let queue: JobQueue;
  let hub: JobEventHub;
  let api: ApiServer;
  /** Another API server like `api`, on the same database, hub and storage. */
  let apiServer: () => ApiServer;
  let url: string;
  let worker: RunningWorker;
  let storageDir: string;
  let alice: { user: { id: string }; token: string };
  let bob: { user: { id: string }; token: string };
  const sockets: { close(): Promise<void> | void }[] = [];

  function wsClient(token: string): Client {
    const ws = createWSClient({ url: `${url.replace("http", "ws")}/trpc`, connectionParams: { token } });
    sockets.push(ws);
    return createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  }

  function sseClient(token: string): Client {
    const authorization = `Bearer ${token}`;
    return createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({
            url: `${url}/trpc`,
            EventSource,
            eventSourceOptions: {
              fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
            },
          }),
          false: httpBatchLink({ url: `${url}/trpc`, headers: { authorization } }),
        }),
      ],
    });
  }

  async function startJob(config: Parameters<typeof seedShootout>[2], owner = alice) {
    const shootoutId = await seedShootout(t.db, owner.user.id, config);
    const caller = createTestCaller(t.db, owner.token, { jobQueue: queue, events: hub });
    return caller.jobs.create({ shootoutId });
  }

  async function expectAllEventsOnce(jobId: string, received: ReceivedEvent[]) {
    const stored = await listJobEvents(t.db, jobId);
    expect(received.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(received.map((e) => e.id)).toEqual(stored.map((e) => String(e.seq)));
    expect(received.map((e) => [e.status, e.progress, e.message])).toEqual(
      stored.map((e) => [e.status, e.progress, e.message]),
    );
  }

  beforeAll(async () => {
    ({ t, boss, queue } = await startTestQueue());
    hub = await createJobEventHub(t, log);
    storageDir = mkdtempSync(path.join(os.tmpdir(), "live-progress-"));
    const storage = createLocalStorage(storageDir);
    apiServer = () =>
      createApiServer({
        env: loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent" }),
        database: t,
        storage,
        log,
        context: { jobQueue: queue, events: hub },
      });
    api = apiServer();
    url = await api.listen(0, "127.0.0.1");
    worker = await startWorker({
      database: t,
      boss,
      storage,
      log,
      pipeline: createTestPipeline(),
      concurrency: 2,
    });
    alice = await createTestUser(t.db);
    bob = await createTestUser(t.db);
  });

  afterAll(async () => {
    for (const s of sockets) await s.close();
    await api?.close();
    await worker?.stop(0);
    await hub?.close();
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it("streams queued → running → completed over WebSocket, in order, and ends the stream", async () => {
    const job = await startJob({ steps: 10, chunkMs: 30 });
    const { events, ended } = await collect(wsClient(alice.token), { jobId: job.id });
    expect(ended).toBe("complete");
    expect(events[0]?.status).toBe("queued");
    expect(events.some((e) => e.status === "running")).toBe(true);
    expect(events.at(-1)).toMatchObject({ status: "completed", progress: 100 });
    await expectAllEventsOnce(job.id, events);
  });

  it("streams the same over SSE (httpSubscriptionLink)", async () => {
    const job = await startJob({ steps: 10, chunkMs: 30 });
    const { events, ended } = await collect(sseClient(alice.token), { jobId: job.id });
    expect(ended).toBe("complete");
    expect(events.at(-1)?.status).toBe("completed");
    await expectAllEventsOnce(job.id, events);
  });

  it("a client that disconnects mid-job and resubscribes with its last id gets every event exactly once", async () => {
    const job = await startJob({ steps: 30, chunkMs: 40 });
    const first = await collect(wsClient(alice.token), { jobId: job.id }, 3);
    expect(first.ended).toBe("stopped");
    // Events go on while nobody listens.
    await waitFor(async () => (await listJobEvents(t.db, job.id)).length > first.events.length + 2, {
      what: "events while disconnected",
    });
    const lastEventId = first.events.at(-1)!.id;
    const second = await collect(wsClient(alice.token), { jobId: job.id, lastEventId });
    expect(second.ended).toBe("complete");
    await expectAllEventsOnce(job.id, [...first.events, ...second.events]);

    // Over SSE too, resuming from the middle of a finished job's history.
    const third = await collect(sseClient(alice.token), { jobId: job.id, lastEventId: "2" });
    expect(third.events[0]?.seq).toBe(3);
    await expectAllEventsOnce(job.id, [...first.events.slice(0, 2), ...third.events]);
  });

  it("a finished job's subscription replays its history and ends; from its last id it ends at once", async () => {
    const job = await startJob({ steps: 2 });
    await waitFor(async () => (await listJobEvents(t.db, job.id)).at(-1)?.status === "completed");
    const all = await collect(wsClient(alice.token), { jobId: job.id });
    await expectAllEventsOnce(job.id, all.events);
    const none = await collect(wsClient(alice.token), { jobId: job.id, lastEventId: all.events.at(-1)!.id });
    expect(none).toEqual({ events: [], ended: "complete" });
  });

  it("someone else's job is NOT_FOUND", async () => {
    const job = await startJob({ steps: 2 });
    const error = await collect(wsClient(bob.token), { jobId: job.id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");
    const caller = createTestCaller(t.db, bob.token, { jobQueue: queue, events: hub });
    await expect(caller.jobs.onProgress({ jobId: job.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("onMine streams status changes of the caller's jobs only", async () => {
    const caller = createTestCaller(t.db, alice.token, { jobQueue: queue, events: hub });
    const stream = (await caller.jobs.onMine())[Symbol.asyncIterator]();
    // The first next() runs the stream up to its first wait: subscribed from here on.
    const first = stream.next();
    await waitFor(async () => hub.listenerCount() === 1, { what: "onMine to subscribe" });
    const bobsJob = await startJob({ steps: 2 }, bob);
    const job = await startJob({ steps: 8, chunkMs: 30 });
    const seen: { jobId: string; status: string }[] = [];
    for (let next = await first; !next.done; next = await stream.next()) {
      // In-process, each event is tracked(): an envelope of its id and data.
      const value: unknown = next.value;
      if (!isTrackedEnvelope(value)) throw new Error("expected a tracked event");
      const event = value[1] as { jobId: string; status: string };
      seen.push({ jobId: event.jobId, status: event.status });
      if (event.jobId === job.id && event.status === "completed") break;
    }
    await stream.return?.(undefined);
    expect(seen.filter((e) => e.jobId === job.id).map((e) => e.status)).toEqual([
      "queued",
      "running",
      "completed",
    ]);
    expect(seen.some((e) => e.jobId === bobsJob.id)).toBe(false);
    expect(hub.listenerCount()).toBe(0);
  });

  it("onMine resumed with its last event id delivers what changed while away; a new one starts from now", async () => {
    const client = wsClient(alice.token);
    /** A live onMine on `client`, once the server has subscribed it to the hub. */
    const live = async (input?: { lastEventId?: string }) => {
      const watch = watchMine(client, input);
      await watch.settled;
      await waitFor(async () => hub.listenerCount() === 1, { what: "onMine to subscribe" });
      return watch;
    };

    const firstWatch = await live();
    const a = (await startJob({ steps: 30, chunkMs: 40 })).id;
    await waitFor(async () => sawStatus(firstWatch.events, a, "running"), { what: "job A running" });
    firstWatch.stop();
    const first = [...firstWatch.events];
    expect(first.filter((e) => e.jobId === a).map((e) => e.status)).toEqual(["queued", "running"]);
    // Ids are change times and never go back.
    const ids = first.map((e) => Date.parse(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    for (const e of first) expect(Date.parse(e.id)).toBeGreaterThanOrEqual(Date.parse(e.at));
    await waitFor(async () => hub.listenerCount() === 0, { what: "the first onMine to go" });

    // While nobody listens: A completes, B is made and completes, and Bob renders too.
    const bobsJob = await startJob({ steps: 2 }, bob);
    await waitFor(async () => (await listJobEvents(t.db, a)).at(-1)?.status === "completed", {
      what: "job A to complete while away",
    });
    const b = (await startJob({ steps: 2 })).id;
    await waitFor(async () => (await listJobEvents(t.db, b)).at(-1)?.status === "completed", {
      what: "job B to complete while away",
    });

    const lastEventId = first.at(-1)!.id;
    const resumedWatch = await live({ lastEventId });
    await waitFor(
      async () =>
        sawStatus(resumedWatch.events, a, "completed") && sawStatus(resumedWatch.events, b, "completed"),
      { what: "the changes made while away" },
    );
    resumedWatch.stop();
    const resumed = [...resumedWatch.events];
    expect(resumed.some((e) => e.jobId === bobsJob.id)).toBe(false);
    // A's change already seen (running) may come again near the cursor; nothing older than it.
    expect(resumed.filter((e) => e.jobId === a).every((e) => e.status !== "queued")).toBe(true);
    expect(Date.parse(resumed.at(-1)!.id)).toBeGreaterThan(Date.parse(lastEventId));
    await waitFor(async () => hub.listenerCount() === 0, { what: "the resumed onMine to go" });

    // Without an id, only what happens from now on: the first event is the new job's.
    const freshWatch = await live();
    const c = (await startJob({ steps: 2 })).id;
    await waitFor(async () => sawStatus(freshWatch.events, c, "queued"), { what: "job C queued" });
    freshWatch.stop();
    expect([freshWatch.events[0]?.jobId, freshWatch.events[0]?.status]).toEqual([c, "queued"]);
  });

  it("a resumed onMine reads a long backlog in pages: 1,100 jobs changed in one instant, each once", async () => {
    const dave = await createTestUser(t.db);
    const shootoutId = await seedShootout(t.db, dave.user.id, { steps: 1 });
    const before = new Date(Date.now() - 60_000).toISOString();
    // One statement: every row gets the same now(), so the pages split within one timestamp.
    const inserted = await t.db
      .insertInto("jobs")
      .values(
        Array.from({ length: 1100 }, () => ({
          shootoutId,
          ownerId: dave.user.id,
          status: "completed" as const,
        })),
      )
      .returning("id")
      .execute();
    const caller = createTestCaller(t.db, dave.token, { jobQueue: queue, events: hub });
    const stream = (await caller.jobs.onMine({ lastEventId: before }))[Symbol.asyncIterator]();
    const seen: string[] = [];
    while (seen.length < inserted.length) {
      const next = await stream.next();
      const value: unknown = next.value;
      if (next.done || !isTrackedEnvelope(value)) throw new Error("expected a tracked event");
      seen.push((value[1] as { jobId: string }).jobId);
    }
    await stream.return?.(undefined);
    expect(new Set(seen).size).toBe(inserted.length);
    expect(new Set(seen)).toEqual(new Set(inserted.map((r) => r.id)));
  });

  it("a wsLink client whose server restarts resumes onMine by itself and gets what changed meanwhile", async () => {
    let server = apiServer();
    const port = new URL(await server.listen(0, "127.0.0.1")).port;
    const ws = createWSClient({
      url: `ws://127.0.0.1:${port}/trpc`,
      connectionParams: { token: alice.token },
      retryDelayMs: () => 100,
    });
    sockets.push(ws);
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const seen: StatusEvent[] = [];
    let jobId: string | null = null;
    const sub = client.jobs.onMine.subscribe(undefined, {
      onStarted: () => {
        void startJob({ steps: 30, chunkMs: 40 }).then((job) => {
          jobId = job.id;
        });
      },
      onData: ({ id, data }) => {
        seen.push({ id, jobId: data.jobId, seq: data.seq, status: data.status, at: data.at });
      },
    });
    try {
      await waitFor(async () => jobId !== null && sawStatus(seen, jobId, "running"), {
        what: "the job to be seen running",
      });
      const id = jobId!;
      // The server goes away (as on a deploy) while the job goes on and finishes.
      await server.close();
      await waitFor(async () => (await listJobEvents(t.db, id)).at(-1)?.status === "completed", {
        what: "the job to complete while the server is down",
      });
      expect(sawStatus(seen, id, "completed")).toBe(false);
      server = apiServer();
      await server.listen(Number(port), "127.0.0.1");
      // wsLink reconnects and resubscribes with its last event id: the completion arrives.
      await waitFor(async () => sawStatus(seen, id, "completed"), {
        what: "the completion after reconnecting",
        timeoutMs: 15_000,
      });
    } finally {
      sub.unsubscribe();
      await server.close();
    }
  });

  it("a silent partition: the server drops the dead socket and ends its subscription, the client notices, reconnects once the path is back and gets what it missed once, in order", async () => {
    const server = apiServer();
    const target = new URL(await server.listen(0, "127.0.0.1"));
    const proxy = await startPartitionProxy({ host: "127.0.0.1", port: Number(target.port) });
    // Bounds from the configuration (the server's default limits, the clients' shared settings),
    // with a generous margin: the machine is shared and noisy.
    const serverBoundMs = server.limits.webSocketPingMs + server.limits.webSocketPongWaitMs;
    const clientBoundMs = deadSocketNoticedWithinMs();
    const withMargin = (ms: number) => ms + Math.max(5_000, ms / 2);
    // What is asked of both ends: a dead socket noticed within ~10 s.
    expect(serverBoundMs).toBeLessThanOrEqual(10_000);
    expect(clientBoundMs).toBeLessThanOrEqual(10_000);
    const listenersBefore = hub.listenerCount();
    let lostAt: number | null = null;
    // The client the web app and the CLI use (idleCloseMs as the CLI's).
    const ws = createLiveWsClient({
      url: `ws://127.0.0.1:${proxy.port}/trpc`,
      connectionParams: { token: alice.token },
      idleCloseMs: 0,
      onClose: () => {
        lostAt ??= performance.now();
      },
    });
    sockets.push(ws);
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const job = await startJob({ steps: 40, chunkMs: 400 });
    const { received, sub, settled } = follow(client, job.id);
    try {
      await waitFor(
        async () =>
          received.some((e) => e.status === "running") && hub.listenerCount() === listenersBefore + 1,
        { what: "the job to stream" },
      );
      proxy.goDark();
      const darkAt = performance.now();
      const seenBeforeDark = received.length;

      const dropped = await waitFor(
        async () => hub.listenerCount() === listenersBefore && proxy.connections[0]?.serverClosedAt,
        {
          what: "the server to drop the socket and end its subscription",
          timeoutMs: withMargin(serverBoundMs),
        },
      );
      const noticed = await waitFor(async () => lostAt, {
        what: "the client to notice",
        timeoutMs: withMargin(clientBoundMs),
      });
      expect(dropped - darkAt).toBeLessThanOrEqual(withMargin(serverBoundMs));
      expect(noticed - darkAt).toBeLessThanOrEqual(withMargin(clientBoundMs));
      expect(received.length).toBe(seenBeforeDark);
      // The job went on meanwhile: there is something to catch up on.
      expect((await listJobEvents(t.db, job.id)).length).toBeGreaterThan(seenBeforeDark);

      // The reconnect made in the dark waits at the proxy, and goes through now.
      proxy.restore();
      await waitFor(async () => received.length > seenBeforeDark, { what: "events after reconnecting" });
      expect(await waitFor(settled, { what: "the stream to end", timeoutMs: 60_000 })).toBe("complete");
      await expectAllEventsOnce(job.id, received);
      expect(proxy.connections.length).toBeGreaterThan(1);
      await waitFor(async () => hub.listenerCount() === listenersBefore, {
        what: "the new subscription to end",
      });
    } finally {
      sub.unsubscribe();
      await proxy.close();
      await server.close();
    }
  }, 120_000);

  it("a silent partition under an SSE stream: the client reconnects after its inactivity bound, resumes once the path is back, and gets what it missed once, in order", async () => {
    const server = apiServer();
    const target = new URL(await server.listen(0, "127.0.0.1"));
    const proxy = await startPartitionProxy({ host: "127.0.0.1", port: Number(target.port) });
    const { ping, client: clientSettings } = SSE_KEEP_ALIVE;
    expect(ping.intervalMs).toBeLessThan(clientSettings.reconnectAfterInactivityMs);
    const boundMs =
      clientSettings.reconnectAfterInactivityMs +
      Math.max(5_000, clientSettings.reconnectAfterInactivityMs / 2);
    const authorization = `Bearer ${alice.token}`;
    const client = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `http://127.0.0.1:${proxy.port}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
          },
        }),
      ],
    });
    const job = await startJob({ steps: 40, chunkMs: 400 });
    const { received, sub, settled } = follow(client, job.id);
    try {
      await waitFor(async () => received.some((e) => e.status === "running"), { what: "the job to stream" });
      const connectionsBefore = proxy.connections.length;
      proxy.goDark();
      const darkAt = performance.now();
      const seenBeforeDark = received.length;
      // The new attempt is made in the dark: the proxy holds it until the path is back.
      const reconnectedAt = await waitFor(
        async () => (proxy.connections.length > connectionsBefore ? performance.now() : null),
        { what: "the SSE client to give up the silent stream and reconnect", timeoutMs: boundMs },
      );
      expect(reconnectedAt - darkAt).toBeGreaterThanOrEqual(
        clientSettings.reconnectAfterInactivityMs - 1_000,
      );
      expect(reconnectedAt - darkAt).toBeLessThanOrEqual(boundMs);
      expect(received.length).toBe(seenBeforeDark);

      proxy.restore();
      expect(await waitFor(settled, { what: "the stream to end", timeoutMs: 60_000 })).toBe("complete");
      expect(received.length).toBeGreaterThan(seenBeforeDark);
      await expectAllEventsOnce(job.id, received);
    } finally {
      sub.unsubscribe();
      await proxy.close();
      await server.close();
    }
  }, 120_000);

  it("onMine refuses a last event id that is not a time, naming the field", async () => {
    const caller = createTestCaller(t.db, alice.token, { jobQueue: queue, events: hub });
    const error = await caller.jobs.onMine({ lastEventId: "yesterday" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    const refused = watchMine(wsClient(alice.token), { lastEventId: "42" });
    await refused.settled;
    const overWs = refused.failure();
    expect(overWs).toBeInstanceOf(TRPCClientError);
    const data = (overWs as TRPCClientError<AppRouter>).data as { code?: string; zodError?: unknown };
    expect(data.code).toBe("BAD_REQUEST");
    expect(JSON.stringify(data.zodError)).toContain("lastEventId");
  });

  it("a live stream whose session is revoked ends with UNAUTHORIZED at its next event; the job goes on", async () => {
    const carol = await createTestUser(t.db);
    // Re-checks the session before every event (the API's default: once per 30 s).
    const caller = createTestCaller(t.db, carol.token, { jobQueue: queue, events: hub, sessionRecheckMs: 0 });
    const job = await startJob({ steps: 20, chunkMs: 30 }, carol);
    const progress = (await caller.jobs.onProgress({ jobId: job.id }))[Symbol.asyncIterator]();
    const mine = (await caller.jobs.onMine())[Symbol.asyncIterator]();
    const firstStatus = mine.next();
    // It may reject (the revocation) before drain() below awaits it: not an unhandled rejection.
    firstStatus.catch(() => {});
    expect((await progress.next()).done).toBe(false);
    await waitFor(async () => hub.listenerCount() === 2, { what: "both streams to subscribe" });

    await t.db.deleteFrom("sessions").where("userId", "=", carol.user.id).execute();
    const drain = async (stream: AsyncIterator<unknown>, pending?: Promise<IteratorResult<unknown>>) => {
      let next = pending ?? stream.next();
      for (let n = 0; n < 1000; n++) {
        if ((await next).done) return "ended without an error";
        next = stream.next();
      }
      return "still streaming";
    };
    await expect(drain(progress)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(drain(mine, firstStatus)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await waitFor(async () => hub.listenerCount() === 0, { what: "the streams to unsubscribe" });
    await waitFor(async () => (await listJobEvents(t.db, job.id)).at(-1)?.status === "completed", {
      what: "the job to finish regardless",
    });
  });

  it("1,000 subscribe/unsubscribe cycles leave no listener behind", async () => {
    const job = await startJob({ steps: 400, chunkMs: 25 });
    // Over WebSocket: subscribe, get the first event, go away; 50 at a time on 5 sockets.
    const clients = Array.from({ length: 5 }, () => wsClient(alice.token));
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => collect(clients[i % clients.length]!, { jobId: job.id }, 1)),
      );
    }
    // In-process (createCaller): iterate one event and break, or abort while waiting.
    const caller = createTestCaller(t.db, alice.token, { jobQueue: queue, events: hub });
    for (let i = 0; i < 500; i++) {
      for await (const _ of await caller.jobs.onProgress({ jobId: job.id })) break;
    }
    await waitFor(async () => hub.listenerCount() === 0, { what: "every listener to go", timeoutMs: 10_000 });
    await createTestCaller(t.db, alice.token, { jobQueue: queue, events: hub }).jobs.cancel({
      jobId: job.id,
    });
    expect(worker.activeJobIds()).toBeDefined();
  });
});
