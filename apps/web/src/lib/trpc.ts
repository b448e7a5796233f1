import { createLiveWsClient } from "@shootout/live-socket";
import { createTRPCClient, httpBatchStreamLink, splitLink, type TRPCClient, wsLink } from "@trpc/client";
import type { AppRouter } from "./api-types.ts";

/** Connection state of the WebSocket that carries subscriptions, for the UI to show. */
export type LiveState = "connecting" | "open" | "closed";
const liveListeners = new Set<(state: LiveState) => void>();
export function onLiveState(listener: (state: LiveState) => void): () => void {
  liveListeners.add(listener);
  return () => liveListeners.delete(listener);
}
const announce = (state: LiveState) => {
  for (const listener of liveListeners) listener(state);
};

const origin = window.location;
const wsUrl = `${origin.protocol === "https:" ? "wss" : "ws"}://${origin.host}/trpc`;

// Subscriptions only; the socket opens on first use and closes when idle (a page opened within 4 s
// of leaving another keeps it). It notices a dead one within ~10 s, reconnects on its own and
// re-subscribes with the last event id.
const wsClient = createLiveWsClient({
  url: wsUrl,
  idleCloseMs: 4_000,
  onOpen: () => announce("open"),
  onClose: () => announce("closed"),
});

/**
 * The typed API. Same origin as the page (served by the API, or proxied by Vite's dev server), so
 * the session cookie goes along on both HTTP and the WebSocket upgrade.
 */
export const api: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: wsLink({ client: wsClient }),
      false: httpBatchStreamLink({ url: "/trpc", maxItems: 10 }),
    }),
  ],
});

/** Drops the socket (after sign-out, so the next one is opened with the new cookie). */
export function closeLiveConnection(): void {
  wsClient.close();
}
