import { createWSClient, type TRPCWebSocketClient, type WebSocketClientOptions } from "@trpc/client";
import { type LiveSocketSettings, liveSocketSettings } from "./live-socket-settings.ts";
import { promptClosingWebSocket, type WebSocketClass } from "./prompt-closing-websocket.ts";

export interface LiveWsClientOptions
  extends Pick<WebSocketClientOptions, "url" | "connectionParams" | "onOpen" | "onClose" | "onError"> {
  /**
   * Close the socket once no subscription or call has used it for this long (0: at once). Must be
   * shorter than the ping interval: every answered ping counts as use, so a longer wait would
   * never come.
   */
  readonly idleCloseMs: number;
  /** The platform's WebSocket by default. */
  readonly WebSocket?: WebSocketClass;
  /** The shared settings by default; tests of the mechanism itself pass shorter ones. */
  readonly settings?: LiveSocketSettings;
}

/**
 * The tRPC WebSocket client the web app and the CLI use for live progress: opened on first use,
 * pinged when quiet, replaced when a ping goes unanswered or a connection hangs, and reconnected
 * with backoff. Subscriptions move to the new socket by themselves and resume after the last
 * event they delivered (wsLink resends each one with the id of its last tracked event).
 */
export function createLiveWsClient(options: LiveWsClientOptions): TRPCWebSocketClient {
  const settings = options.settings ?? liveSocketSettings;
  if (options.idleCloseMs >= settings.pingAfterQuietMs) {
    throw new Error(
      `idleCloseMs (${options.idleCloseMs}) must be shorter than the ping interval (${settings.pingAfterQuietMs})`,
    );
  }
  const Base = options.WebSocket ?? globalThis.WebSocket;
  return createWSClient({
    url: options.url,
    connectionParams: options.connectionParams,
    onOpen: options.onOpen,
    onClose: options.onClose,
    onError: options.onError,
    WebSocket: promptClosingWebSocket(Base, settings),
    lazy: { enabled: true, closeMs: options.idleCloseMs },
    keepAlive: {
      enabled: true,
      intervalMs: settings.pingAfterQuietMs,
      pongTimeoutMs: settings.pongTimeoutMs,
    },
    retryDelayMs: settings.retryDelayMs,
  });
}
