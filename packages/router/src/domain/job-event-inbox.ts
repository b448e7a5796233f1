import type { HubMessage } from "@shootout/jobs";

/**
 * The per-subscription buffer between the event hub (which pushes synchronously, for every
 * subscriber at once) and one subscription's async generator (which pulls at its client's pace).
 * Bounded: a subscriber that falls `limit` messages behind has its backlog replaced by one
 * `resync`, and catches up from job_events instead of holding memory.
 * A class with one listener for its lifetime rather than closures per wait: tens of thousands of
 * these sit idle in an API process, so every retained byte counts.
 */
export class JobEventInbox {
  readonly #limit: number;
  #queue: HubMessage[] | null = null;
  #waiter: ((message: HubMessage | null) => void) | null = null;
  #closed = false;

  /** Every `next()` resolves null once `signal` is aborted (the client went away). */
  constructor(signal: AbortSignal, limit = 256) {
    this.#limit = limit;
    if (signal.aborted) this.#closed = true;
    else signal.addEventListener("abort", () => this.#close(), { once: true });
  }

  push(message: HubMessage): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter(message);
      return;
    }
    this.#queue ??= [];
    if (this.#queue.length >= this.#limit) this.#queue = [{ type: "resync" }];
    else this.#queue.push(message);
  }

  /** The next message, or null once closed. One caller at a time. */
  next(): Promise<HubMessage | null> {
    if (this.#closed) return Promise.resolve(null);
    const queued = this.#queue?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  #close(): void {
    this.#closed = true;
    this.#queue = null;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(null);
  }
}
