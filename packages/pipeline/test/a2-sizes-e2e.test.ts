import { decodeFlac } from "@shootout/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutResultSchema } from "../src/index.ts";
import { downloadFile, followJob, type Harness, shortDiWav, startHarness, uploadFile } from "./harness.ts";
import { MODELS, maxAbsDiff, referenceDi, referenceTone } from "./reference.ts";

describe("an A2 capture at full and smallest size beside an A1, through the API and the worker", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("renders each size as its own render, names the sizes in the result, downloads the file once", async () => {
    const diBytes = shortDiWav(2);
    const diFileId = await uploadFile(h, diBytes, "di", "take.wav");
    const tones = [
      { ...MODELS.a2, displayName: "A2 full", architecture: "2" },
      { ...MODELS.a2, displayName: "A2 lite", architecture: "2", ampSize: "smallest" as const },
      { ...MODELS.a1Example, displayName: "A1", architecture: "1" },
    ];
    const before = h.standIn.catalog.tones.get(109)!.downloads_count;
    const shootout = await h.client.shootouts.create.mutate({
      name: "A2 Lite vs Full",
      diFileId,
      tones: tones.map((x) => ({
        tone3000ToneId: x.toneId,
        tone3000ModelId: x.modelId,
        displayName: x.displayName,
        architecture: x.architecture,
        modelSize: "standard",
        ...("ampSize" in x ? { ampSize: x.ampSize } : {}),
      })),
    });
    expect(shootout.tones.map((x) => x.ampSlim)).toEqual([null, 0, null]);
    const job = await h.client.jobs.create.mutate({ shootoutId: shootout.id });
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    // The A2 file once for both sizes, the A1 once (when saved; the render used the cache).
    expect(h.standIn.catalog.tones.get(109)!.downloads_count - before).toBe(2);
    const result = shootoutResultSchema.parse(done.result);
    expect(result.segments.map((s) => [s.label, s.amp])).toEqual([
      ["A2 full", "A2, standard, full (WaveNet 8 ch)"],
      ["A2 lite", "A2, standard, smallest (WaveNet 3 ch)"],
      ["A1", "A1, standard"],
    ]);

    const di = await referenceDi(diBytes);
    const rendered = await Promise.all(
      result.segments.map(
        async (s) =>
          (await decodeFlac(await downloadFile(h, s.files.find((f) => f.format === "flac")!.fileId)))
            .channels[0]!,
      ),
    );
    const expected = await Promise.all(
      [null, 0, null].map((slim, i) =>
        referenceTone(di, { file: tones[i]!.file, highpass: true, effects: [], ir: null, slim }, -18),
      ),
    );
    for (const [i, samples] of rendered.entries()) {
      // 24-bit FLAC of the chain's output.
      expect(maxAbsDiff(samples, expected[i]!)).toBeLessThan(1e-6);
    }
    // The two sizes really differ (a shared render would make them equal).
    expect(maxAbsDiff(rendered[0]!, rendered[1]!)).toBeGreaterThan(1e-3);
  }, 180_000);
});
