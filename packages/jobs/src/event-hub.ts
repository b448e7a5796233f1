import type { Database } from "@shootout/db";
import type { Logger } from "pino";
import { JOB_EVENTS_CHANNEL, type JobEventNotice, jobEventNotice } from "./definitions.ts";
import { listenForNotifications, type NotificationListener } from "./notification-listener.ts";

/**
 * What a subscriber receives: an event as it was committed, or `resync` after the listening
 * connection was lost and restored (notices sent meanwhile are gone: back-fill from job_events).
 */
export type HubMessage = { type: "event"; event: JobEventNotice } | { type: "resync" };

export type HubListener = (message: HubMessage) => void;

/** Whose events a subscriber wants: one job's, or every job of one owner. */
export type HubTopic = { jobId: string } | { ownerId: string };

export interface JobEventHub {
  /**
   * Starts delivering matching events to `listener` (a function of its own per subscription);
   * call the returned function, once or more, to stop.
   */
  subscribe(topic: HubTopic, listener: HubListener): () => void;
  /** Subscribers currently registered (for leak tests and metrics). */
  listenerCount(): number;
  /** Stops listening; subscribers get nothing more. */
  close(): Promise<void>;
}

/**
 * The one LISTEN connection of an API process, fanned out in-process to every live subscription,
 * so 10,000 subscriptions cost 10,000 map entries rather than 10,000 database connections.
 */
export async function createJobEventHub(database: Database, log: Logger): Promise<JobEventHub> {
  const byJob = new Map<string, Set<HubListener>>();
  const byOwner = new Map<string, Set<HubListener>>();
  let count = 0;

  function deliver(listeners: Set<HubListener> | undefined, message: HubMessage): void {
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        // One broken subscriber must not starve the others of the same event.
        log.error({ err: error }, "job event subscriber threw");
      }
    }
  }

  function onNotification(_channel: string, payload: string): void {
    let parsed: JobEventNotice;
    try {
      parsed = jobEventNotice.parse(JSON.parse(payload));
    } catch (error) {
      log.warn({ err: error, payload }, "ignoring a malformed job event notice");
      return;
    }
    const message: HubMessage = { type: "event", event: parsed };
    deliver(byJob.get(parsed.jobId), message);
    deliver(byOwner.get(parsed.ownerId), message);
  }

  function onReconnect(): void {
    const message: HubMessage = { type: "resync" };
    for (const listeners of byJob.values()) deliver(listeners, message);
    for (const listeners of byOwner.values()) deliver(listeners, message);
  }

  const listener: NotificationListener = await listenForNotifications(database, {
    channels: [JOB_EVENTS_CHANNEL],
    onNotification,
    onReconnect,
    log,
  });

  return {
    subscribe(topic, fn) {
      const [map, key] = "jobId" in topic ? [byJob, topic.jobId] : [byOwner, topic.ownerId];
      let listeners = map.get(key);
      if (!listeners) {
        listeners = new Set();
        map.set(key, listeners);
      }
      // The function itself is the entry (no wrapper: idle subscriptions are what memory is spent
      // on), so each subscription must pass a function of its own.
      if (listeners.has(fn)) throw new Error("this listener is already subscribed to this topic");
      listeners.add(fn);
      count += 1;
      return () => {
        const current = map.get(key);
        if (!current?.delete(fn)) return;
        count -= 1;
        if (current.size === 0) map.delete(key);
      };
    },
    listenerCount() {
      return count;
    },
    async close() {
      byJob.clear();
      byOwner.clear();
      count = 0;
      await listener.close();
    },
  };
}
