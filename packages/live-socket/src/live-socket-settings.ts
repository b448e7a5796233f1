/**
 * How a client's WebSocket notices that its path has gone dark (no FIN, no RST: a laptop that
 * changed networks, a NAT that forgot the flow) and replaces it. The server drops such a socket on
 * its side within its own keep-alive (apps/api limits); these are the client's numbers.
 */
export interface LiveSocketSettings {
  /** A socket that has received nothing for this long sends a ping. */
  readonly pingAfterQuietMs: number;
  /** A ping unanswered this long: the socket is dead and is closed. */
  readonly pongTimeoutMs: number;
  /**
   * How long a close waits for the closing handshake before the socket counts as closed anyway.
   * On a dead path the handshake never completes: Node's WebSocket then stays "closing" until
   * the path returns, browsers for up to a minute, and tRPC reconnects only on the close event.
   */
  readonly closeWaitMs: number;
  /** A new socket not open after this long is given up and another is tried. */
  readonly openTimeoutMs: number;
  /** Pause before reconnect attempt `attempt` (0 first): a restarting server is back in seconds. */
  readonly retryDelayMs: (attempt: number) => number;
}

export const liveSocketSettings: LiveSocketSettings = {
  pingAfterQuietMs: 5_000,
  pongTimeoutMs: 3_000,
  closeWaitMs: 1_000,
  openTimeoutMs: 10_000,
  retryDelayMs: (attempt) => Math.min(250 * 2 ** attempt, 4_000),
};

/** The longest a dead socket goes unnoticed: quiet, then the unanswered ping, then the close. */
export function deadSocketNoticedWithinMs(settings: LiveSocketSettings = liveSocketSettings): number {
  return settings.pingAfterQuietMs + settings.pongTimeoutMs + settings.closeWaitMs;
}
