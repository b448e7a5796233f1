import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { promptClosingWebSocket } from "../src/prompt-closing-websocket.ts";
import { type PartitionProxy, startPartitionProxy } from "../src/testing/partition-proxy.ts";

const timings = { closeWaitMs: 300, openTimeoutMs: 600 };
// Generous: the machine is shared and noisy.
const MARGIN_MS = 2_000;
const PromptWebSocket = promptClosingWebSocket(WebSocket, timings);

/** Every event a socket delivers to a listener added after it was made, as tRPC's are. */
function record(ws: WebSocket) {
  const events: { type: string; at: number; code?: number }[] = [];
  for (const type of ["open", "message", "error", "close"]) {
    ws.addEventListener(type, (event) => {
      events.push({
        type,
        at: performance.now(),
        ...(event instanceof CloseEvent ? { code: event.code } : {}),
      });
    });
  }
  const next = (type: string, timeoutMs: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      ws.addEventListener(type, () => {
        clearTimeout(timer);
        resolve(performance.now());
      });
    });
  return { events, next };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("promptClosingWebSocket over a path that goes dark", () => {
  let wss: WebSocketServer;
  let proxy: PartitionProxy;
  let url: string;
  const opened: WebSocket[] = [];

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    // Talks all the time, so anything delivered after a close would show.
    wss.on("connection", (socket) => {
      const timer = setInterval(() => socket.send("tick"), 50);
      socket.on("close", () => clearInterval(timer));
    });
    proxy = await startPartitionProxy({ host: "127.0.0.1", port: (wss.address() as AddressInfo).port });
    url = `ws://127.0.0.1:${proxy.port}/`;
  });

  afterAll(async () => {
    for (const ws of opened) ws.close();
    await proxy.close();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  const connect = async (Class: typeof WebSocket) => {
    const ws = new Class(url);
    opened.push(ws);
    const seen = record(ws);
    await seen.next("open", 5_000);
    await seen.next("message", 5_000);
    return { ws, seen };
  };

  it("the platform's own WebSocket stays closing: its close event waits for the path", async () => {
    const { ws, seen } = await connect(WebSocket);
    proxy.goDark();
    try {
      ws.close();
      await sleep(timings.closeWaitMs * 3);
      expect(ws.readyState).toBe(WebSocket.CLOSING);
      expect(seen.events.some((e) => e.type === "close")).toBe(false);
    } finally {
      proxy.restore();
    }
  });

  it("a prompt one reports close within closeWaitMs and nothing afterwards, even once the path is back", async () => {
    const { ws, seen } = await connect(PromptWebSocket);
    proxy.goDark();
    const closing = performance.now();
    ws.close();
    const closedAt = await seen.next("close", timings.closeWaitMs + MARGIN_MS);
    expect(closedAt - closing).toBeGreaterThanOrEqual(timings.closeWaitMs - 20);
    expect(seen.events.at(-1)).toMatchObject({ type: "close", code: 1006 });
    const delivered = seen.events.length;
    // The ticks the server sent meanwhile arrive now, then its close frame: none gets through.
    proxy.restore();
    await sleep(500);
    expect(seen.events.length).toBe(delivered);
    expect(seen.events.filter((e) => e.type === "close")).toHaveLength(1);
  });

  it("on a live path close() is the platform's own: one clean close, none made up later", async () => {
    const { ws, seen } = await connect(PromptWebSocket);
    ws.close(1000);
    await seen.next("close", MARGIN_MS);
    await sleep(timings.closeWaitMs * 2);
    const closes = seen.events.filter((e) => e.type === "close");
    expect(closes).toEqual([expect.objectContaining({ code: 1000 })]);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it("a socket that cannot open in time fails: error, then close, as a refused connection does", async () => {
    proxy.goDark();
    try {
      const started = performance.now();
      const ws = new PromptWebSocket(url);
      opened.push(ws);
      const seen = record(ws);
      const closedAt = await seen.next("close", timings.openTimeoutMs + timings.closeWaitMs + MARGIN_MS);
      expect(closedAt - started).toBeGreaterThanOrEqual(timings.openTimeoutMs - 20);
      expect(seen.events.map((e) => e.type)).toEqual(["error", "close"]);
    } finally {
      proxy.restore();
    }
    await sleep(300);
  });
});
