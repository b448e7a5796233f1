import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutResultSchema } from "../src/index.ts";
import { followJob, type Harness, shortDiWav, startHarness, uploadFile } from "./harness.ts";
import { MODELS } from "./reference.ts";

// A deployment without ffmpeg: the API says so (capabilities.video false) and the worker's
// pipeline cannot run it either.
describe("without ffmpeg", () => {
  let h: Harness;
  let diFileId: string;
  const tones = [
    {
      tone3000ToneId: MODELS.tinyWaveNet.toneId,
      tone3000ModelId: MODELS.tinyWaveNet.modelId,
      displayName: "Tiny",
    },
    { tone3000ToneId: MODELS.lstm.toneId, tone3000ModelId: MODELS.lstm.modelId, displayName: "LSTM" },
  ];

  beforeAll(async () => {
    h = await startHarness({ ffmpegPath: "/nonexistent/ffmpeg", capabilities: { video: false } });
    diFileId = await uploadFile(h, shortDiWav(1), "di", "take.wav");
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it("audio outputs still render", async () => {
    const s = await h.client.shootouts.create.mutate({
      name: "audio only",
      diFileId,
      outputFormats: ["wav", "flac"],
      tones,
    });
    const job = await h.client.jobs.create.mutate({ shootoutId: s.id });
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.status).toBe("completed");
    const result = shootoutResultSchema.parse(done.result);
    expect(result.video).toBeNull();
    expect(result.joined.map((f) => f.format).sort()).toEqual(["flac", "wav"]);
  });

  it("an MP4 shootout is refused by jobs.create over HTTP, with the reason", async () => {
    const s = await h.client.shootouts.create.mutate({
      name: "with video",
      diFileId,
      outputFormats: ["flac", "mp4"],
      tones,
    });
    await expect(h.client.jobs.create.mutate({ shootoutId: s.id })).rejects.toThrow(
      /MP4 video output needs ffmpeg/,
    );
    const jobs = await h.t.db.selectFrom("jobs").select("id").where("shootoutId", "=", s.id).execute();
    expect(jobs).toEqual([]);
  });

  it("jobs.retry refuses a job whose shootout has asked for an MP4 since, and leaves the job as it was", async () => {
    const s = await h.client.shootouts.create.mutate({
      name: "later video",
      diFileId,
      outputFormats: ["flac"],
      tones,
    });
    // A real failure to retry: Tone 3000 answers 404 for the second model (nothing cached).
    await h.t.db.deleteFrom("modelCache").execute();
    h.standIn.faults.next({
      path: `/api/v1/models/${MODELS.lstm.modelId}`,
      status: 404,
      body: { error: "Not found" },
    });
    const job = await h.client.jobs.create.mutate({ shootoutId: s.id });
    await followJob(h.client, job.id);
    expect((await h.client.jobs.get.query({ jobId: job.id })).status).toBe("failed");

    await h.client.shootouts.update.mutate({ shootoutId: s.id, outputFormats: ["flac", "mp4"] });
    await expect(h.client.jobs.retry.mutate({ jobId: job.id })).rejects.toThrow(
      /MP4 video output needs ffmpeg/,
    );
    expect((await h.client.jobs.get.query({ jobId: job.id })).status).toBe("failed");
    // Without the mp4 it runs again, and now succeeds.
    await h.client.shootouts.update.mutate({ shootoutId: s.id, outputFormats: ["flac"] });
    await h.client.jobs.retry.mutate({ jobId: job.id });
    await followJob(h.client, job.id);
    expect((await h.client.jobs.get.query({ jobId: job.id })).status).toBe("completed");
  });
});
