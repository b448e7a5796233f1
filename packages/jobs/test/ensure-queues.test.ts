import { createBoss } from "@shootout/db";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureQueues,
  RENDER_DEAD_LETTER_QUEUE,
  RENDER_HEARTBEAT_SECONDS,
  RENDER_QUEUE,
  RENDER_RETRY_DELAY_SECONDS,
} from "../src/index.ts";

describe("ensureQueues", () => {
  let t: TestDatabase;
  let boss: PgBoss;

  beforeAll(async () => {
    t = await createTestDatabase();
    boss = createBoss(t, { supervise: false, schedule: false });
    await boss.start();
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  it("brings a render queue made with older settings to the current heartbeat and retry delay", async () => {
    // As a deployment from before the fast-recovery settings created it.
    await boss.createQueue(RENDER_DEAD_LETTER_QUEUE);
    await boss.createQueue(RENDER_QUEUE, {
      heartbeatSeconds: 30,
      retryDelay: 10,
      retryBackoff: true,
      retryDelayMax: 600,
      deadLetter: RENDER_DEAD_LETTER_QUEUE,
    });
    await ensureQueues(boss);
    const queue = await boss.getQueue(RENDER_QUEUE);
    expect(queue).toMatchObject({
      heartbeatSeconds: RENDER_HEARTBEAT_SECONDS,
      retryDelay: RENDER_RETRY_DELAY_SECONDS,
      retryBackoff: false,
    });
    // And a job sent now carries them.
    const id = await boss.send(RENDER_QUEUE, { jobId: crypto.randomUUID() });
    const job = await boss.getJobById(RENDER_QUEUE, id!);
    expect(job).toMatchObject({ heartbeatSeconds: RENDER_HEARTBEAT_SECONDS });
  });
});
