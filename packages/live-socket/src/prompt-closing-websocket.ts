/** What a WebSocket class is here: the standard one (browsers; Node's global, undici's). */
export type WebSocketClass = typeof WebSocket;

export interface PromptClosingTimings {
  /** How long `close()` waits for the closing handshake before the socket counts as closed. */
  readonly closeWaitMs: number;
  /** How long a new socket may take to open before it is given up (closed). */
  readonly openTimeoutMs: number;
}

const EVENT_TYPES = ["open", "message", "error", "close"] as const;

// 1006: closed abnormally, without a close frame (what browsers report when a connection drops).
const ABNORMAL_CLOSURE = 1006;

/** So a pending wait never keeps a Node process (the CLI) alive; browsers return a number. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) timer.unref();
}

function closeEvent(reason: string): Event {
  return typeof CloseEvent === "function"
    ? new CloseEvent("close", { code: ABNORMAL_CLOSURE, reason, wasClean: false })
    : new Event("close");
}

/**
 * `Base` (the platform's WebSocket) whose `close()` is final within `closeWaitMs`: when the peer
 * does not answer the closing handshake in time (a dead path), the socket reports `close` itself
 * (preceded by `error` if it never opened, as a failed connection does) and delivers nothing
 * afterwards, while the platform finishes, or abandons, the handshake in the background. A socket
 * that does not open within `openTimeoutMs` is closed the same way. Every other behaviour is
 * `Base`'s own; pass the result as `createWSClient`'s `WebSocket`.
 */
export function promptClosingWebSocket(Base: WebSocketClass, timings: PromptClosingTimings): WebSocketClass {
  return class PromptClosingWebSocket extends Base {
    /** A close has reached the listeners: whatever the socket reports later is dropped. */
    #closed = false;
    #opened = false;
    #closeTimer: ReturnType<typeof setTimeout> | undefined;
    #openTimer: ReturnType<typeof setTimeout> | undefined;

    constructor(...args: ConstructorParameters<WebSocketClass>) {
      super(...args);
      // Registered before anyone else can (listeners run in order): the first to see each event.
      const gate = (event: Event) => {
        if (this.#closed) {
          event.stopImmediatePropagation();
          return;
        }
        if (event.type === "open") {
          this.#opened = true;
          clearTimeout(this.#openTimer);
        } else if (event.type === "close") {
          this.#closed = true;
          clearTimeout(this.#openTimer);
          clearTimeout(this.#closeTimer);
        }
      };
      for (const type of EVENT_TYPES) this.addEventListener(type, gate);
      this.#openTimer = setTimeout(() => {
        if (!this.#opened) this.close();
      }, timings.openTimeoutMs);
      unref(this.#openTimer);
    }

    override close(code?: number, reason?: string): void {
      super.close(code, reason);
      if (this.#closed || this.#closeTimer !== undefined) return;
      this.#closeTimer = setTimeout(() => {
        if (this.#closed) return;
        if (!this.#opened) this.dispatchEvent(new Event("error"));
        this.dispatchEvent(closeEvent("no answer to the closing handshake"));
      }, timings.closeWaitMs);
      unref(this.#closeTimer);
    }
  };
}
