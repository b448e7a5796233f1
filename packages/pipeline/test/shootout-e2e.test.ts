import { readFileSync } from "node:fs";
import { decodeFlac, decodeWav, integratedLoudness } from "@shootout/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHAIN_SAMPLE_RATE,
  SEGMENT_GAP_MS,
  type ShootoutResult,
  shootoutResultSchema,
} from "../src/index.ts";
import { ffprobeAvailable, keyFrameSeconds, probeStreams } from "./ffprobe.ts";
import {
  type Client,
  downloadFile,
  followJob,
  type Harness,
  type ProgressEvent,
  shortDiWav,
  startHarness,
  uploadFile,
} from "./harness.ts";
import { IR_FILE, MODELS, maxAbsDiff, referenceDi, referenceIr, referenceTone } from "./reference.ts";

type JobOutput = Awaited<ReturnType<Client["jobs"]["get"]["query"]>>;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("a shootout rendered end to end through the API and the worker", () => {
  let h: Harness;
  let diBytes: Uint8Array;
  let diFileId: string;
  let irFileId: string;
  let shootoutId: string;
  let first: { job: JobOutput; result: ShootoutResult; events: ProgressEvent[] };
  const tonesInput = () => [
    {
      tone3000ToneId: MODELS.tinyWaveNet.toneId,
      tone3000ModelId: MODELS.tinyWaveNet.modelId,
      displayName: "Tiny Drive",
      irFileId,
      highpass: true,
      effects: ["eq:highshelf_presence", "reverb:room", "gain:-2"],
    },
    {
      tone3000ToneId: MODELS.lstm.toneId,
      tone3000ModelId: MODELS.lstm.modelId,
      displayName: "Microtubes LSTM",
      highpass: false,
    },
    {
      tone3000ToneId: MODELS.feather.toneId,
      tone3000ModelId: MODELS.feather.modelId,
      displayName: "ODS feather",
    },
  ];
  const downloads = () => sum([...h.standIn.catalog.tones.values()].map((t) => t.downloads_count));

  async function runJob(id: string) {
    const job = await h.client.jobs.create.mutate({ shootoutId: id });
    const events = await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    return { job: done, events };
  }

  beforeAll(async () => {
    h = await startHarness();
    diBytes = shortDiWav(2.5);
    diFileId = await uploadFile(h, diBytes, "di", "take.wav");
    irFileId = await uploadFile(h, readFileSync(IR_FILE), "ir", "4x12 closed.wav");
    const beforeSave = downloads();
    const created = await h.client.shootouts.create.mutate({
      name: "Sunday shootout",
      diFileId,
      guitar: "Strat",
      pickup: "bridge",
      outputFormats: ["wav", "flac", "mp4"],
      tones: tonesInput(),
    });
    shootoutId = created.id;
    const before = downloads();
    const { job, events } = await runJob(shootoutId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("completed");
    first = { job, events, result: shootoutResultSchema.parse(job.result) };
    // Three models, each downloaded once, when the shootout was saved (checked, then cached);
    // the render took them from the cache.
    expect(before - beforeSave).toBe(3);
    expect(downloads() - before).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await h?.close();
  });

  it("reports progress per tone and per chunk, in order, over the subscription", () => {
    const running = first.events.filter((e) => e.status === "running");
    const values = running.map((e) => e.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    // A smoothly moving bar: many distinct steps while the tones render.
    expect(new Set(values.filter((v) => v >= 10 && v <= 85)).size).toBeGreaterThanOrEqual(8);
    for (const name of ["Tiny Drive", "Microtubes LSTM", "ODS feather"]) {
      expect(running.some((e) => e.message.includes(`'${name}'`))).toBe(true);
    }
    expect(first.events.at(-1)).toMatchObject({ status: "completed", progress: 100 });
  });

  it("joins segments that equal each tone rendered alone, at the recorded times, loudness-matched", async () => {
    const { result } = first;
    const di = await referenceDi(diBytes);
    const ir = await referenceIr();
    const inputs = tonesInput();
    const files = [MODELS.tinyWaveNet.file, MODELS.lstm.file, MODELS.feather.file];
    const expected = await Promise.all(
      inputs.map((tone, i) =>
        referenceTone(
          di,
          {
            file: files[i]!,
            highpass: tone.highpass ?? true,
            effects: tone.effects ?? [],
            ir: tone.irFileId ? ir : null,
          },
          -18,
        ),
      ),
    );
    expect(result.diDurationMs).toBe(Math.round((di.length * 1000) / CHAIN_SAMPLE_RATE));
    expect(result.notes.join("\n")).toMatch(/summed to mono/);
    expect(result.notes.join("\n")).toMatch(/resampled from 44100 Hz/);
    const joinedFlac = result.joined.find((f) => f.format === "flac")!;
    const joinedWav = result.joined.find((f) => f.format === "wav")!;
    const flac = (await decodeFlac(await downloadFile(h, joinedFlac.fileId))).channels[0]!;
    const wav = decodeWav(await downloadFile(h, joinedWav.fileId)).channels[0]!;
    const gap = (SEGMENT_GAP_MS / 1000) * CHAIN_SAMPLE_RATE;
    expect(flac.length).toBe(3 * di.length + 2 * gap);
    expect(maxAbsDiff(flac, wav)).toBeLessThan(1e-6);
    const shootout = await h.client.shootouts.get.query({ shootoutId });
    const lufs: number[] = [];
    for (const [k, segment] of result.segments.entries()) {
      const start = k * (di.length + gap);
      expect(segment.startMs).toBe(Math.floor((start * 1000) / CHAIN_SAMPLE_RATE));
      expect(segment.endMs).toBe(Math.ceil(((start + di.length) * 1000) / CHAIN_SAMPLE_RATE));
      // Not blind: segments play in the owner's order.
      expect(segment.toneSelectionId).toBe(shootout.tones[k]!.id);
      expect(segment.label).toBe(inputs[k]!.displayName);
      const slice = flac.subarray(start, start + di.length);
      expect(maxAbsDiff(slice, expected[k]!)).toBeLessThan(1e-5);
      // The gap is silence.
      if (k > 0) expect(flac.subarray(start - gap, start).every((v) => v === 0)).toBe(true);
      // The per-tone file is the same tone again.
      const toneFlac = segment.files.find((f) => f.format === "flac")!;
      const alone = (await decodeFlac(await downloadFile(h, toneFlac.fileId))).channels[0]!;
      expect(maxAbsDiff(alone, slice)).toBeLessThan(1e-6);
      expect(segment.files.map((f) => f.format).sort()).toEqual(["flac", "wav"]);
      // Stored on the tone row too.
      expect(shootout.tones[k]).toMatchObject({ startMs: segment.startMs, endMs: segment.endMs });
      expect(shootout.tones[k]!.metrics).toMatchObject({ integratedLufs: segment.metrics.integratedLufs });
      expect(segment.metrics.peakLimited).toBe(false);
      lufs.push(integratedLoudness(slice, CHAIN_SAMPLE_RATE));
    }
    for (const l of lufs) expect(Math.abs(l - -18)).toBeLessThan(0.5);
    expect(Math.max(...lufs) - Math.min(...lufs)).toBeLessThan(0.5);
    expect(shootout.processedAt).not.toBeNull();
  });

  it("measures plausible metrics", () => {
    for (const { metrics } of first.result.segments) {
      expect(metrics.integratedLufs).toBeCloseTo(-18, 0);
      expect(metrics.truePeak!).toBeLessThanOrEqual(-1 + 0.05);
      expect(metrics.rms!).toBeLessThan(metrics.peak!);
      expect(metrics.crestFactor!).toBeGreaterThan(3);
      expect(metrics.spectralCentroid!).toBeGreaterThan(100);
      expect(metrics.spectralCentroid!).toBeLessThan(12_000);
      expect(metrics.bassRatio! + metrics.midRatio! + metrics.trebleRatio!).toBeCloseTo(1, 3);
      expect(metrics.durationSeconds).toBeCloseTo(first.result.diDurationMs / 1000, 2);
    }
    // The tones differ: a shootout whose tones all measure alike would be a broken chain.
    const centroids = first.result.segments.map((s) => s.metrics.spectralCentroid!);
    expect(new Set(centroids.map((c) => Math.round(c / 10))).size).toBe(3);
  });

  it.skipIf(!ffprobeAvailable)(
    "makes an MP4 with one H.264 1080p stream and one AAC 48 kHz stream as long as the audio",
    async () => {
      const video = first.result.video!;
      expect(video.format).toBe("mp4");
      const mp4 = await downloadFile(h, video.fileId);
      const probe = probeStreams(mp4);
      const v = probe.streams.filter((s) => s.codec_type === "video");
      const a = probe.streams.filter((s) => s.codec_type === "audio");
      expect(v).toEqual([expect.objectContaining({ codec_name: "h264", width: 1920, height: 1080 })]);
      expect(a).toEqual([expect.objectContaining({ codec_name: "aac", sample_rate: "48000" })]);
      const seconds = (3 * first.result.diDurationMs + 2 * SEGMENT_GAP_MS) / 1000;
      expect(Math.abs(probe.duration - seconds)).toBeLessThan(0.1);
      // Each tone's card comes up (on a key frame) as the tone before it ends.
      const segments = first.result.segments;
      const cardStarts = segments.map((_, k) => (k === 0 ? 0 : segments[k - 1]!.endMs));
      const keys = keyFrameSeconds(mp4);
      // (endMs is rounded up to the ms, the card start to the nearest ms.)
      expect(keys).toHaveLength(cardStarts.length);
      for (const [k, t] of keys.entries()) expect(Math.abs(t * 1000 - cardStarts[k]!)).toBeLessThanOrEqual(1);
    },
  );

  it("with the loudness match switched off, each segment is the chain as it comes out, levels kept", async () => {
    const plain = await h.client.shootouts.create.mutate({
      name: "as it comes",
      diFileId,
      outputFormats: ["flac"],
      normalizeLoudness: false,
      tones: tonesInput(),
    });
    const { job } = await runJob(plain.id);
    expect(job.status).toBe("completed");
    const result = shootoutResultSchema.parse(job.result);
    expect(result.normalizeLoudness).toBe(false);
    const di = await referenceDi(diBytes);
    const ir = await referenceIr();
    const files = [MODELS.tinyWaveNet.file, MODELS.lstm.file, MODELS.feather.file];
    const flac = (await decodeFlac(await downloadFile(h, result.joined[0]!.fileId))).channels[0]!;
    const gap = (SEGMENT_GAP_MS / 1000) * CHAIN_SAMPLE_RATE;
    const lufs: number[] = [];
    for (const [k, tone] of tonesInput().entries()) {
      const expected = await referenceTone(
        di,
        {
          file: files[k]!,
          highpass: tone.highpass ?? true,
          effects: tone.effects ?? [],
          ir: tone.irFileId ? ir : null,
        },
        null,
      );
      const start = k * (di.length + gap);
      const slice = flac.subarray(start, start + di.length);
      expect(maxAbsDiff(slice, expected)).toBeLessThan(1e-5);
      lufs.push(integratedLoudness(slice, CHAIN_SAMPLE_RATE));
    }
    // The models differ in level by several LU: nothing evened them out.
    expect(Math.max(...lufs) - Math.min(...lufs)).toBeGreaterThan(2);
    const matched = first.result.segments.map((s) => s.metrics.integratedLufs!);
    expect(Math.max(...matched) - Math.min(...matched)).toBeLessThan(0.5);
  });

  it("tones of one model (a cab shootout) each get their own chain from one amp render", async () => {
    const tiny = { tone3000ToneId: MODELS.tinyWaveNet.toneId, tone3000ModelId: MODELS.tinyWaveNet.modelId };
    const cabs = await h.client.shootouts.create.mutate({
      name: "cab shootout",
      diFileId,
      outputFormats: ["flac"],
      tones: [
        { ...tiny, displayName: "4x12", irFileId },
        { ...tiny, displayName: "no cab" },
        { ...tiny, displayName: "4x12 verb", irFileId, effects: ["reverb:hall"] },
      ],
    });
    const { job } = await runJob(cabs.id);
    expect(job.status).toBe("completed");
    const result = shootoutResultSchema.parse(job.result);
    const di = await referenceDi(diBytes);
    const ir = await referenceIr();
    const flac = (await decodeFlac(await downloadFile(h, result.joined[0]!.fileId))).channels[0]!;
    const gap = (SEGMENT_GAP_MS / 1000) * CHAIN_SAMPLE_RATE;
    const chains = [
      { ir, effects: [] },
      { ir: null, effects: [] },
      { ir, effects: ["reverb:hall"] },
    ];
    const slices = chains.map((_, k) =>
      flac.subarray(k * (di.length + gap), k * (di.length + gap) + di.length),
    );
    for (const [k, chain] of chains.entries()) {
      const expected = await referenceTone(
        di,
        { file: MODELS.tinyWaveNet.file, highpass: true, ...chain },
        -18,
      );
      expect(maxAbsDiff(slices[k]!, expected)).toBeLessThan(1e-5);
    }
    // Three different tones came out of the one amp render.
    expect(maxAbsDiff(slices[0]!, slices[1]!)).toBeGreaterThan(0.01);
    expect(maxAbsDiff(slices[0]!, slices[2]!)).toBeGreaterThan(0.01);
  });

  it("a second shootout with the same models downloads nothing (model cache)", async () => {
    const before = downloads();
    const other = await h.client.shootouts.create.mutate({
      name: "again",
      diFileId,
      outputFormats: ["flac"],
      tones: tonesInput().slice(0, 2),
    });
    const { job } = await runJob(other.id);
    expect(job.status).toBe("completed");
    expect(downloads()).toBe(before);
    const cached = await h.t.db.selectFrom("modelCache").select(["tone3000ModelId", "sha256"]).execute();
    expect(cached.map((c) => c.tone3000ModelId).sort()).toEqual(["1002", "1003", "1005"]);
  });

  it("a job cancelled mid-render leaves no outputs, and its rerun gives identical files", async () => {
    const job = await h.client.jobs.create.mutate({ shootoutId });
    let cancelled = false;
    const events = await followJob(h.client, job.id, (e) => {
      if (!cancelled && e.status === "running" && e.message.startsWith("Rendering tone")) {
        cancelled = true;
        void h.client.jobs.cancel.mutate({ jobId: job.id });
      }
    });
    expect(events.at(-1)?.status).toBe("cancelled");
    const leftovers = await h.t.db.selectFrom("files").select("id").where("jobId", "=", job.id).execute();
    expect(leftovers).toEqual([]);

    await h.client.jobs.retry.mutate({ jobId: job.id });
    const rerunEvents = await followJob(h.client, job.id);
    expect(rerunEvents.at(-1)?.status).toBe("completed");
    const rerun = shootoutResultSchema.parse((await h.client.jobs.get.query({ jobId: job.id })).result);
    const hashes = (r: ShootoutResult) => [
      ...r.joined.filter((f) => f.format !== "mp4").map((f) => f.sha256),
      ...r.segments.flatMap((s) => s.files.map((f) => f.sha256)),
    ];
    expect(hashes(rerun)).toEqual(hashes(first.result));
    const outputs = await h.t.db.selectFrom("files").select("id").where("jobId", "=", job.id).execute();
    // Joined WAV + FLAC, each tone's WAV + FLAC, the MP4, credits.txt.
    expect(outputs).toHaveLength(2 + 3 * 2 + 1 + 1);
  });
});
