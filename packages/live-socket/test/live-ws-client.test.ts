import { setTimeout as sleep } from "node:timers/promises";
import { createTRPCClient, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLiveWsClient } from "../src/create-live-ws-client.ts";
import { deadSocketNoticedWithinMs, type LiveSocketSettings } from "../src/live-socket-settings.ts";
import { type PartitionProxy, startPartitionProxy } from "../src/testing/partition-proxy.ts";
import { startTickServer, type TickRouter, type TickServer } from "../src/testing/tick-server.ts";

// The mechanism with short timings, against a plain tRPC server (apps/api tests it with the real
// settings against the real API).
const settings: LiveSocketSettings = {
  pingAfterQuietMs: 400,
  pongTimeoutMs: 300,
  closeWaitMs: 200,
  openTimeoutMs: 1_000,
  retryDelayMs: () => 50,
};
const MARGIN_MS = 3_000;

/** Waits for `done`, failing after `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe("createLiveWsClient", () => {
  let server: TickServer;
  let proxy: PartitionProxy;
  const clients: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await startTickServer({ pingMs: 400, pongWaitMs: 300 });
    proxy = await startPartitionProxy({ host: "127.0.0.1", port: server.port });
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await proxy.close();
    await server.close();
  });

  const connect = (idleCloseMs: number, events: { opened: number; closed: number[] }) => {
    const ws = createLiveWsClient({
      url: `ws://127.0.0.1:${proxy.port}/`,
      idleCloseMs,
      settings,
      onOpen: () => {
        events.opened++;
      },
      onClose: () => {
        events.closed.push(performance.now());
      },
    });
    clients.push(ws);
    return createTRPCClient<TickRouter>({ links: [wsLink({ client: ws })] });
  };

  it("notices a dark path in time, reconnects once it is back and resumes after the last event", async () => {
    const socket = { opened: 0, closed: [] as number[] };
    const client = connect(0, socket);
    const seen: number[] = [];
    const sub = client.ticks.subscribe({}, { onData: ({ data }) => seen.push(data) });
    try {
      await until("a few ticks", () => seen.length >= 5);
      proxy.goDark();
      await until(
        "the client to notice",
        () => socket.closed.length > 0,
        deadSocketNoticedWithinMs(settings) + MARGIN_MS,
      );
      const before = seen.length;
      proxy.restore();
      await until("ticks after reconnecting", () => seen.length >= before + 20);
    } finally {
      proxy.restore();
      sub.unsubscribe();
    }
    expect(socket.opened).toBe(2);
    // Every tick once, in order, across the reconnect.
    expect(seen).toEqual(seen.map((_, i) => i));
  });

  it("still closes an idle socket: the pings do not keep it open", async () => {
    const socket = { opened: 0, closed: [] as number[] };
    const client = connect(200, socket);
    const seen: number[] = [];
    const sub = client.ticks.subscribe({}, { onData: ({ data }) => seen.push(data) });
    await until("a few ticks", () => seen.length >= 3);
    sub.unsubscribe();
    await until("the idle socket to close", () => socket.closed.length > 0, 200 + MARGIN_MS);
    expect(socket.closed).toHaveLength(1);
  });

  it("refuses an idle wait the pings would never let pass", () => {
    expect(() => createLiveWsClient({ url: "ws://127.0.0.1:1/", idleCloseMs: 400, settings })).toThrow(
      /idleCloseMs/,
    );
  });
});
