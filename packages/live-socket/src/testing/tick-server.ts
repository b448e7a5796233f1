import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { initTRPC, tracked } from "@trpc/server";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";

const t = initTRPC.create();

const tickRouter = t.router({
  /** 0, 1, 2, … every 20 ms, from after `lastEventId`: resumable, as the job streams are. */
  ticks: t.procedure
    .input((raw: unknown): { lastEventId?: string } => {
      const lastEventId = (raw as { lastEventId?: unknown } | undefined)?.lastEventId;
      return typeof lastEventId === "string" ? { lastEventId } : {};
    })
    .subscription(async function* ({ input, signal }) {
      for (
        let n = input.lastEventId === undefined ? 0 : Number(input.lastEventId) + 1;
        !signal?.aborted;
        n++
      ) {
        yield tracked(String(n), n);
        await sleep(20, undefined, { signal }).catch(() => {});
      }
    }),
});

export type TickRouter = typeof tickRouter;

export interface TickServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A plain tRPC WebSocket server with one resumable subscription, for tests of the live socket
 * that need no database; `keepAlive` as the API's (apps/api limits), in short.
 */
export async function startTickServer(keepAlive: {
  pingMs: number;
  pongWaitMs: number;
}): Promise<TickServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  applyWSSHandler({ wss, router: tickRouter, keepAlive: { enabled: true, ...keepAlive } });
  return {
    port: (wss.address() as AddressInfo).port,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
