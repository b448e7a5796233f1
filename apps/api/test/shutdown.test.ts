import { createTestUser } from "@shootout/router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { httpClient, validShootoutInput } from "./helpers/clients.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { upload, uploadedFile } from "./helpers/upload.ts";

const GRACE_MS = 20_000;
let t: TestApi;

beforeAll(async () => {
  t = await startTestApi({ events: true, limits: { shutdownGraceMs: GRACE_MS } });
});

afterAll(async () => {
  await t?.close();
});

describe("graceful stop with live subscriptions", () => {
  it("ends SSE subscriptions at once instead of waiting the grace period for them", async () => {
    const { token } = await createTestUser(t.database.db);
    const client = httpClient(t.url, token);
    const di = uploadedFile.parse(await (await upload(t.url, token, wavBytes(24_000))).json());
    const shootout = await client.shootouts.create.mutate(validShootoutInput(di.id));
    const job = await client.jobs.create.mutate({ shootoutId: shootout.id });

    // A live subscription as httpSubscriptionLink opens it (EventSource: Accept text/event-stream).
    const input = encodeURIComponent(JSON.stringify({ jobId: job.id }));
    const response = await fetch(`${t.url}/trpc/jobs.onProgress?input=${input}`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    // Read until the back-filled first event of the job has arrived: the subscription is live.
    let received = "";
    const decoder = new TextDecoder();
    while (!received.includes(job.id)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += decoder.decode(chunk.value, { stream: true });
    }
    expect(received).toContain(job.id);

    const started = performance.now();
    await t.api.close();
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(GRACE_MS / 4);
    // The stream is over (cut); the client would resume from its last event id elsewhere.
    const ended = await reader.read().then(
      (r) => r.done,
      () => true,
    );
    expect(ended).toBe(true);
  });
});
