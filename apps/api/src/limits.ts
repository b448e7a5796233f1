import type { Env } from "@shootout/config";

/** The server's limits; all derive from the environment, tests override single ones. */
export interface ApiLimits {
  /** Calls in one HTTP batch or one WebSocket batch message. */
  readonly maxBatchSize: number;
  /** Bytes of one tRPC request body or WebSocket message. */
  readonly maxBodyBytes: number;
  /** Bytes of one uploaded file. */
  readonly maxUploadBytes: number;
  /** Calls (not HTTP requests) one user, or one IP when anonymous, may make per minute. */
  readonly callsPerMinute: number;
  /** How long a stopping server lets in-flight calls finish. */
  readonly shutdownGraceMs: number;
  /** A WebSocket that has sent nothing for this long is pinged. */
  readonly webSocketPingMs: number;
  /**
   * A pinged WebSocket that sends nothing back for this long is dropped, and its subscriptions
   * end: a silent partition (no FIN, no RST) is noticed within ping + wait.
   */
  readonly webSocketPongWaitMs: number;
}

// tRPC inputs are small JSON; anything bigger is an upload and goes through POST /files.
const MAX_TRPC_BODY_BYTES = 1024 * 1024;
// Matches what a client's `maxItems` should be set to (see the web client).
const MAX_BATCH_SIZE = 20;
// A dead client is dropped within 10 s. Clients ping on their own when quiet (packages/live-socket),
// which counts as activity, so a live one is pinged by us only when it does not.
const WEB_SOCKET_PING_MS = 5_000;
const WEB_SOCKET_PONG_WAIT_MS = 5_000;

export function limitsFromEnv(env: Env): ApiLimits {
  return {
    maxBatchSize: MAX_BATCH_SIZE,
    maxBodyBytes: MAX_TRPC_BODY_BYTES,
    maxUploadBytes: Math.floor(env.MAX_UPLOAD_MB * 1024 * 1024),
    callsPerMinute: env.RATE_LIMIT_PER_MINUTE,
    shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    webSocketPingMs: WEB_SOCKET_PING_MS,
    webSocketPongWaitMs: WEB_SOCKET_PONG_WAIT_MS,
  };
}
