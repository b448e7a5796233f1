import { createTestCaller } from "@shootout/router/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { followJob, type Harness, shortDiWav, startHarness, uploadFile } from "./harness.ts";
import { MODELS } from "./reference.ts";

describe("a shootout whose model cannot be had fails naming the tone, leaving nothing behind", () => {
  let h: Harness;
  let shootoutId: string;
  const failing = MODELS.lstm.modelId;

  beforeAll(async () => {
    h = await startHarness();
    const diFileId = await uploadFile(h, shortDiWav(1), "di", "take.wav");
    const created = await h.client.shootouts.create.mutate({
      name: "doomed",
      diFileId,
      outputFormats: ["flac", "wav"],
      tones: [
        {
          tone3000ToneId: MODELS.tinyWaveNet.toneId,
          tone3000ModelId: MODELS.tinyWaveNet.modelId,
          displayName: "Tiny",
        },
        { tone3000ToneId: MODELS.lstm.toneId, tone3000ModelId: failing, displayName: "JCM800" },
      ],
    });
    shootoutId = created.id;
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(async () => {
    h.standIn.faults.clear();
    // Nothing cached: every run must ask Tone 3000.
    await h.t.db.deleteFrom("modelCache").execute();
  });

  async function failedRun() {
    const job = await h.client.jobs.create.mutate({ shootoutId });
    const events = await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    const files = await h.t.db.selectFrom("files").select("id").where("jobId", "=", job.id).execute();
    const shootout = await h.client.shootouts.get.query({ shootoutId });
    return { done, events, files, shootout };
  }

  it("404 on the model", async () => {
    h.standIn.faults.next({ path: `/api/v1/models/${failing}`, status: 404, body: { error: "Not found" } });
    const { done, files, events } = await failedRun();
    expect(done.status).toBe("failed");
    expect(done.error).toBe(
      "Tone 2 'JCM800': model download failed: the model does not exist on Tone 3000 (404)",
    );
    expect(events.at(-1)?.status).toBe("failed");
    expect(files).toEqual([]);
  });

  it("429 for ever", async () => {
    h.standIn.faults.next({
      path: `/api/v1/models/${failing}`,
      status: 429,
      body: { error: "Too many requests" },
      headers: { "retry-after": "0" },
      times: Number.POSITIVE_INFINITY,
    });
    const { done, files } = await failedRun();
    expect(done.error).toBe("Tone 2 'JCM800': model download failed: rate limited by Tone 3000");
    expect(files).toEqual([]);
    // The client retried before giving up.
    expect(h.standIn.faults.log.filter((f) => f.status === 429).length).toBeGreaterThan(1);
  });

  it("a download that is not a .nam file", async () => {
    h.standIn.faults.next({
      path: h.standIn.downloadPath(Number(failing)),
      status: 200,
      body: "<html>oops</html>",
    });
    const { done, files } = await failedRun();
    expect(done.error).toBe(
      "Tone 2 'JCM800': model download failed: 'lstm.nam' is not a valid .nam model: the .nam file is not valid JSON",
    );
    expect(files).toEqual([]);
    const cached = await h.t.db.selectFrom("modelCache").select("tone3000ModelId").execute();
    expect(cached.map((c) => c.tone3000ModelId)).not.toContain(failing);
  });

  it("a .nam whose weights do not fit its config is refused by the audio package and never cached", async () => {
    const nam = {
      version: "0.5.4",
      architecture: "LSTM",
      config: { input_size: 1, hidden_size: 3, num_layers: 1 },
      weights: [0.1, 0.2, 0.3],
      sample_rate: 48000,
    };
    h.standIn.faults.next({ path: h.standIn.downloadPath(Number(failing)), status: 200, body: nam });
    const { done, files, shootout } = await failedRun();
    expect(done.error).toMatch(
      /^Tone 2 'JCM800': model download failed: 'lstm\.nam' is not a valid \.nam model: .*weights/,
    );
    expect(files).toEqual([]);
    expect(shootout.processedAt).toBeNull();
    const cached = await h.t.db.selectFrom("modelCache").select("tone3000ModelId").execute();
    expect(cached.map((c) => c.tone3000ModelId)).not.toContain(failing);
  });

  it("where ffmpeg is missing, jobs.create refuses an MP4 shootout at once, saying why", async () => {
    const mp4 = await h.client.shootouts.update.mutate({ shootoutId, outputFormats: ["flac", "mp4"] });
    const caller = createTestCaller(h.t.db, h.owner.token, { capabilities: { video: false } });
    const error = await caller.jobs.create({ shootoutId: mp4.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toMatch(/MP4 video output needs ffmpeg/);
    const jobs = await h.t.db
      .selectFrom("jobs")
      .select("id")
      .where("status", "in", ["pending", "queued"])
      .execute();
    expect(jobs).toEqual([]);
    await h.client.shootouts.update.mutate({ shootoutId, outputFormats: ["flac", "wav"] });
  });
});

describe("a DI longer than the deployment takes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ capabilities: { maxDiSeconds: 2 } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const tones = [
    {
      tone3000ToneId: MODELS.tinyWaveNet.toneId,
      tone3000ModelId: MODELS.tinyWaveNet.modelId,
      displayName: "A",
    },
    { tone3000ToneId: MODELS.lstm.toneId, tone3000ModelId: MODELS.lstm.modelId, displayName: "B" },
  ];

  it("is refused at shootouts.create when the upload's header gave its length", async () => {
    const diFileId = await uploadFile(h, shortDiWav(3), "di", "long.wav");
    await expect(
      h.client.shootouts.create.mutate({ name: "too long", diFileId, outputFormats: ["flac"], tones }),
    ).rejects.toThrow(/the DI is 0:03 long; shootouts here take DIs up to 0:02/);
  });

  it("fails the render, saying so, when its length was unknown until decoded", async () => {
    const diFileId = await uploadFile(h, shortDiWav(3), "di", "unmeasured.wav");
    await h.t.db.updateTable("files").set({ durationMs: null }).where("id", "=", diFileId).execute();
    const s = await h.client.shootouts.create.mutate({
      name: "found out",
      diFileId,
      outputFormats: ["flac"],
      tones,
    });
    const job = await h.client.jobs.create.mutate({ shootoutId: s.id });
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(
      /The DI file "unmeasured.wav" is \d\.\d s long once trimmed; shootouts here take DIs up to 2 s/,
    );
  });
});
