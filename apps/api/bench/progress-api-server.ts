/**
 * The API process the progress benchmark measures: the real API server with the job event hub,
 * on the database in DATABASE_URL, alone in its process so its memory is its own. Spawned with
 * an IPC channel (and --expose-gc): answers `memory` with process.memoryUsage() after a full GC
 * and the hub's listener count; `stop` closes everything and exits.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEnv } from "@shootout/config";
import { createDb } from "@shootout/db";
import { createJobEventHub, type JobQueue } from "@shootout/jobs";
import { createLocalStorage } from "@shootout/storage";
import { pino } from "pino";
import { z } from "zod";
import { createApiServer } from "../src/server.ts";

const message = z.object({ type: z.enum(["memory", "stop"]) });

// The benchmark sends no jobs: a queue that refuses keeps pg-boss out of the measured process.
const noQueue: JobQueue = {
  enqueueRender: () => Promise.reject(new Error("no queue in the benchmark")),
  cancelRender: () => Promise.reject(new Error("no queue in the benchmark")),
};

const log = pino({ level: "silent" });
const databaseUrl = z.string().parse(process.env.DATABASE_URL);
const database = await createDb({ databaseUrl, poolMax: 10, applicationName: "shootout-bench-api" });
const hub = await createJobEventHub(database, log);
const api = createApiServer({
  // One user opens every subscription: lift the per-user call budget out of the way.
  env: loadEnv({ NODE_ENV: "production", LOG_LEVEL: "silent", RATE_LIMIT_PER_MINUTE: "1000000000" }),
  database,
  storage: createLocalStorage(mkdtempSync(path.join(os.tmpdir(), "bench-storage-"))),
  log,
  context: { jobQueue: noQueue, events: hub },
});
const url = await api.listen(0, "127.0.0.1");
const gc = (globalThis as { gc?: () => void }).gc;

process.on("message", async (raw) => {
  const { type } = message.parse(raw);
  if (type === "memory") {
    for (let i = 0; i < 3; i++) gc?.();
    const m = process.memoryUsage();
    process.send?.({
      type: "memory",
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      listeners: hub.listenerCount(),
    });
  } else {
    await api.close();
    await hub.close();
    await database.close();
    process.exit(0);
  }
});
process.send?.({ type: "ready", url });
