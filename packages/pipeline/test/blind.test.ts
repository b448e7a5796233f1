import { createTestUser } from "@shootout/router/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blindKeySchema, shootoutResultSchema } from "../src/index.ts";
import { followJob, type Harness, shortDiWav, startHarness, uploadFile } from "./harness.ts";
import { MODELS } from "./reference.ts";

const codeOf = (e: unknown) =>
  e instanceof TRPCClientError ? (e.data as { code?: string }).code : String(e);

describe("a blind shootout", () => {
  let h: Harness;
  let shootoutId: string;
  let stranger: Harness["client"];
  let result: ReturnType<typeof shootoutResultSchema.parse>;
  let jobId: string;

  beforeAll(async () => {
    h = await startHarness();
    const diFileId = await uploadFile(h, shortDiWav(1.5), "di", "take.wav");
    const tiny = { tone3000ToneId: MODELS.tinyWaveNet.toneId, tone3000ModelId: MODELS.tinyWaveNet.modelId };
    const created = await h.client.shootouts.create.mutate({
      name: "guess the amp",
      diFileId,
      blind: true,
      isPublic: true,
      outputFormats: ["flac"],
      tones: [
        { ...tiny, displayName: "Tiny bright", effects: ["eq:highshelf_presence"] },
        { tone3000ToneId: MODELS.lstm.toneId, tone3000ModelId: MODELS.lstm.modelId, displayName: "LSTM" },
        { ...tiny, displayName: "Tiny dark", effects: ["eq:lowpass_12k", "reverb:hall"], highpass: false },
      ],
    });
    shootoutId = created.id;
    const job = await h.client.jobs.create.mutate({ shootoutId });
    jobId = job.id;
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.status).toBe("completed");
    result = shootoutResultSchema.parse(done.result);
    stranger = h.clientFor((await createTestUser(h.t.db)).token);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it("labels segments Tone A, B, C and keeps the mapping out of the result", () => {
    expect(result.blind).toBe(true);
    expect(result.segments.map((s) => s.label)).toEqual(["Tone A", "Tone B", "Tone C"]);
    expect(result.segments.every((s) => s.toneSelectionId === null)).toBe(true);
    const names = JSON.stringify(result);
    for (const name of ["Tiny bright", "LSTM", "Tiny dark"]) expect(names).not.toContain(name);
  });

  it("get and listPublic leak neither the timings nor the metrics before the reveal", async () => {
    const views = [
      await h.client.shootouts.get.query({ shootoutId }),
      await stranger.shootouts.get.query({ shootoutId }),
      (await stranger.shootouts.listPublic.query({ limit: 10 })).items.find((s) => s.id === shootoutId)!,
    ];
    for (const view of views) {
      expect(view.revealedAt).toBeNull();
      expect(view).not.toHaveProperty("blindKey");
      for (const tone of view.tones)
        expect(tone).toMatchObject({ startMs: null, endMs: null, metrics: null });
    }
    expect(codeOf(await stranger.jobs.get.query({ jobId }).catch((e: unknown) => e))).toBe("NOT_FOUND");
  });

  it("only the owner can reveal; the key maps each label to its tone at the place it played", async () => {
    expect(codeOf(await stranger.shootouts.reveal.mutate({ shootoutId }).catch((e: unknown) => e))).toBe(
      "NOT_FOUND",
    );
    const revealed = await h.client.shootouts.reveal.mutate({ shootoutId });
    const key = blindKeySchema.parse(revealed.blindKey);
    expect(key.map((k) => [k.label, k.segment])).toEqual([
      ["Tone A", 0],
      ["Tone B", 1],
      ["Tone C", 2],
    ]);
    const shootout = await h.client.shootouts.get.query({ shootoutId });
    expect(shootout.revealedAt).not.toBeNull();
    expect(new Set(key.map((k) => k.toneSelectionId))).toEqual(new Set(shootout.tones.map((t) => t.id)));
    for (const entry of key) {
      const tone = shootout.tones.find((t) => t.id === entry.toneSelectionId)!;
      const segment = result.segments[entry.segment]!;
      expect(tone.position).toBe(entry.position);
      expect(tone.startMs).toBe(segment.startMs);
      expect(tone.metrics).toMatchObject({ spectralCentroid: segment.metrics.spectralCentroid });
    }
    // The public view shows the answer now too.
    const publicView = await stranger.shootouts.get.query({ shootoutId });
    expect(publicView.tones.every((t) => t.startMs !== null)).toBe(true);
  });
});
