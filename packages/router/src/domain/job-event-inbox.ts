import type { HubMessage } from "@shootout/jobs";

/**
 * The per-subscription buffer between the event hub (which pushes synchronously, for every
 * subscriber at once) and one subscription's async generator (which pulls at its client's pace).
 * Bounded: a subscriber that falls `limit` messages behind has its backlog replaced by one
 * `resync`, and catches up from job_events instead of holding memory.
 */
export interface JobEventInbox {
  readonly push: (message: HubMessage) => void;
  /** The next message, or null once `signal` is aborted (the client went away). */
  next(signal: AbortSignal): Promise<HubMessage | null>;
}

export function createJobEventInbox(limit = 256): JobEventInbox {
  let queue: HubMessage[] = [];
  let waiter: ((message: HubMessage) => void) | null = null;

  return {
    push(message) {
      if (waiter) {
        const wake = waiter;
        waiter = null;
        wake(message);
        return;
      }
      if (queue.length >= limit) queue = [{ type: "resync" }];
      else queue.push(message);
    },
    next(signal) {
      if (signal.aborted) return Promise.resolve(null);
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => {
        const onAbort = () => {
          waiter = null;
          resolve(null);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter = (message) => {
          signal.removeEventListener("abort", onAbort);
          resolve(message);
        };
      });
    },
  };
}
