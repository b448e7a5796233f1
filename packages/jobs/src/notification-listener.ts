import type { Database } from "@shootout/db";
import pg from "pg";
import type { Logger } from "pino";

export interface NotificationListener {
  /** Stops listening and releases the connection; no callback runs after it resolves. */
  close(): Promise<void>;
}

export interface ListenOptions {
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /**
   * Called after a lost connection is listening again: notifications sent while it was down are
   * gone, so whoever depends on them must catch up from the tables.
   */
  onReconnect?(): void;
  log: Logger;
  /** How often an idle connection is probed, so a silently dead one is noticed (Postgres only). */
  pingIntervalMs?: number;
  /** Longest wait between reconnection attempts. */
  maxBackoffMs?: number;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * LISTEN on a few channels over one connection of its own. On Postgres that is a dedicated
 * `pg.Client` (a pooled connection would lose its LISTEN when returned), reconnected with backoff;
 * on PGlite it is the in-process instance's listen(), which cannot be lost.
 * Resolves once the first LISTEN is in place, so nothing sent after start-up is missed.
 */
export async function listenForNotifications(
  database: Database,
  options: ListenOptions,
): Promise<NotificationListener> {
  for (const channel of options.channels) {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  }
  if (database.backend === "pglite") {
    const pglite = database.pglite;
    if (!pglite) throw new Error("pglite backend without a PGlite instance");
    const unlisteners = await Promise.all(
      options.channels.map((channel) =>
        pglite.listen(channel, (payload) => options.onNotification(channel, payload)),
      ),
    );
    return {
      async close() {
        await Promise.all(unlisteners.map((unlisten) => unlisten()));
      },
    };
  }
  const connectionString = database.connectionString;
  if (!connectionString) throw new Error("postgres backend without a connection string");
  return listenOnPostgres(connectionString, options);
}

async function listenOnPostgres(
  connectionString: string,
  options: ListenOptions,
): Promise<NotificationListener> {
  const pingIntervalMs = options.pingIntervalMs ?? 10_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  let client: pg.Client | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let pingTimer: NodeJS.Timeout | null = null;
  let failures = 0;

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString,
      keepAlive: true,
      application_name: "shootout-listener",
    });
    // Any error (server restart, network) tears this client down; `end` schedules the reconnect.
    next.on("error", (error) => {
      options.log.warn({ err: error }, "notification listener connection failed");
      void next.end().catch(() => {});
    });
    next.on("end", () => {
      if (client === next) lost();
    });
    next.on("notification", (message) => {
      options.onNotification(message.channel, message.payload ?? "");
    });
    await next.connect();
    for (const channel of options.channels) await next.query(`LISTEN ${channel}`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
  }

  function lost(): void {
    client = null;
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = null;
    if (!closed) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (reconnectTimer || closed) return;
    const delay = Math.min(maxBackoffMs, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    failures += 1;
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = null;
      try {
        await connect();
        if (closed) return;
        failures = 0;
        startPing();
        options.log.info("notification listener reconnected");
        options.onReconnect?.();
      } catch (error) {
        options.log.warn({ err: error, attempt: failures }, "notification listener reconnect failed");
        scheduleReconnect();
      }
    }, delay);
  }

  function startPing(): void {
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      const current = client;
      if (!current) return;
      const timeout = setTimeout(() => {
        // A ping that hangs means a dead connection TCP has not noticed yet.
        options.log.warn("notification listener ping timed out; reconnecting");
        if (client === current) {
          lost();
          void current.end().catch(() => {});
        }
      }, pingIntervalMs);
      current.query("select 1").then(
        () => clearTimeout(timeout),
        () => clearTimeout(timeout),
      );
    }, pingIntervalMs);
    pingTimer.unref();
  }

  await connect();
  startPing();

  return {
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (pingTimer) clearInterval(pingTimer);
      const current = client;
      client = null;
      if (current) await current.end().catch(() => {});
    },
  };
}
