import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeAudio, decodeFlac } from "@shootout/audio";
import { createTestUser } from "@shootout/router/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutResultSchema } from "../src/index.ts";
import {
  CATALOG,
  downloadFile,
  followJob,
  type Harness,
  shortDiWav,
  startHarness,
  uploadFile,
} from "./harness.ts";
import { MODELS, maxAbsDiff, referenceDi, referenceIr, referenceTone, TONE3000_IRS } from "./reference.ts";

const amp = { tone3000ToneId: MODELS.tinyWaveNet.toneId, tone3000ModelId: MODELS.tinyWaveNet.modelId };
const cab = (ir: (typeof TONE3000_IRS)[keyof typeof TONE3000_IRS]) => ({
  source: "tone3000" as const,
  tone3000ToneId: ir.toneId,
  tone3000ModelId: ir.modelId,
  name: ir.name,
});
/** A Tone 3000 cabinet as shootouts.* answer it: with the licence and author read at save time. */
const savedCab = (ir: (typeof TONE3000_IRS)[keyof typeof TONE3000_IRS]) => ({
  ...cab(ir),
  license: "t3k",
  author: "t3k-community",
});

describe("cabinets from Tone 3000: a cab shootout, IR-only and amp-only tones", () => {
  let h: Harness;
  let diBytes: Uint8Array;
  let diFileId: string;
  beforeAll(async () => {
    h = await startHarness();
    diBytes = shortDiWav(2);
    diFileId = await uploadFile(h, diBytes, "di", "take.wav");
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("renders one amp through three Tone 3000 IRs (one 44.1 kHz), an IR-only and an amp-only tone", async () => {
    const irDownloadsBefore = h.standIn.catalog.tones.get(110)!.downloads_count;
    const shootout = await h.client.shootouts.create.mutate({
      name: "Cab shootout",
      diFileId,
      tones: [
        { displayName: "Tiny + Ampeg", amp, cabinet: cab(TONE3000_IRS.ampeg) },
        { displayName: "Tiny + Celestion", amp, cabinet: cab(TONE3000_IRS.celestion) },
        { displayName: "Tiny + Eminence", amp, cabinet: cab(TONE3000_IRS.eminence) },
        { displayName: "Mesa alone", cabinet: cab(TONE3000_IRS.mesa), highpass: false },
        { displayName: "Tiny alone", amp },
      ],
    });
    // The IRs were fetched and checked when the shootout was saved, each once.
    expect(h.standIn.catalog.tones.get(110)!.downloads_count - irDownloadsBefore).toBe(4);
    expect(shootout.tones.map((t) => [t.amp?.tone3000ModelId ?? null, t.cabinet])).toEqual([
      ["1005", savedCab(TONE3000_IRS.ampeg)],
      ["1005", savedCab(TONE3000_IRS.celestion)],
      ["1005", savedCab(TONE3000_IRS.eminence)],
      [null, savedCab(TONE3000_IRS.mesa)],
      ["1005", null],
    ]);
    expect(shootout.tones.map((t) => [t.hasIr, t.irName])).toEqual([
      [true, "Ampeg cab IR"],
      [true, "Celestion cab IR"],
      [true, "Eminence cab IR (44.1 kHz)"],
      [true, "Mesa cab IR"],
      [false, null],
    ]);
    const job = await h.client.jobs.create.mutate({ shootoutId: shootout.id });
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    // The render took the cached copies: no second download.
    expect(h.standIn.catalog.tones.get(110)!.downloads_count - irDownloadsBefore).toBe(4);
    const result = shootoutResultSchema.parse(done.result);
    expect(result.segments.map((s) => [s.label, s.amp, s.cabinet])).toEqual([
      ["Tiny + Ampeg", "WaveNet", "Ampeg cab IR"],
      ["Tiny + Celestion", "WaveNet", "Celestion cab IR"],
      ["Tiny + Eminence", "WaveNet", "Eminence cab IR (44.1 kHz)"],
      ["Mesa alone", null, "Mesa cab IR"],
      ["Tiny alone", "WaveNet", null],
    ]);
    expect(result.notes.join("\n")).toMatch(/IR "Eminence cab IR \(44\.1 kHz\)": resampled from 44100 Hz/);
    expect((await decodeAudio(readFileSync(path.join(CATALOG, TONE3000_IRS.eminence.file)))).sampleRate).toBe(
      44_100,
    );

    const di = await referenceDi(diBytes);
    const expected = await Promise.all([
      referenceTone(
        di,
        {
          file: MODELS.tinyWaveNet.file,
          highpass: true,
          effects: [],
          ir: await referenceIr(TONE3000_IRS.ampeg.file),
        },
        -18,
      ),
      referenceTone(
        di,
        {
          file: MODELS.tinyWaveNet.file,
          highpass: true,
          effects: [],
          ir: await referenceIr(TONE3000_IRS.celestion.file),
        },
        -18,
      ),
      referenceTone(
        di,
        {
          file: MODELS.tinyWaveNet.file,
          highpass: true,
          effects: [],
          ir: await referenceIr(TONE3000_IRS.eminence.file),
        },
        -18,
      ),
      referenceTone(
        di,
        { file: null, highpass: false, effects: [], ir: await referenceIr(TONE3000_IRS.mesa.file) },
        -18,
      ),
      referenceTone(di, { file: MODELS.tinyWaveNet.file, highpass: true, effects: [], ir: null }, -18),
    ]);
    const rendered = await Promise.all(
      result.segments.map(
        async (s) =>
          (await decodeFlac(await downloadFile(h, s.files.find((f) => f.format === "flac")!.fileId)))
            .channels[0]!,
      ),
    );
    for (const [i, samples] of rendered.entries())
      expect(maxAbsDiff(samples, expected[i]!)).toBeLessThan(1e-5);
    // Three cabinets through one amp sound different.
    expect(maxAbsDiff(rendered[0]!, rendered[1]!)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(rendered[1]!, rendered[2]!)).toBeGreaterThan(1e-2);
  }, 180_000);

  async function refusal(tones: unknown[]) {
    const error = await h.client.shootouts.create
      // biome-ignore lint/suspicious/noExplicitAny: the point is input the types would not allow
      .mutate({ name: "bad", diFileId, tones: tones as any })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<never>;
    return {
      message: e.message,
      code: (e.data as { code?: string } | undefined)?.code,
      path: e.data as { zodError?: { fieldErrors?: unknown } } | undefined,
    };
  }

  it("another user's update of the shootout is NOT_FOUND before any of its tones' files is fetched", async () => {
    const shootout = await h.client.shootouts.create.mutate({
      name: "Mine",
      diFileId,
      tones: [
        { displayName: "Tiny alone", amp },
        { displayName: "Tiny again", amp, highpass: false },
      ],
    });
    const stranger = h.clientFor((await createTestUser(h.t.db)).token);
    const downloadsBefore = h.standIn.catalog.tones.get(110)!.downloads_count;
    // A file not yet fetched: a stranger's call must not make us fetch (and check) it.
    await h.t.db.deleteFrom("modelCache").where("tone3000ModelId", "=", TONE3000_IRS.mesa.modelId).execute();
    const error = await stranger.shootouts.update
      .mutate({
        shootoutId: shootout.id,
        tones: [
          { displayName: "Tiny alone", amp },
          { displayName: "Mesa alone", cabinet: cab(TONE3000_IRS.mesa) },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).message).toBe("shootout not found");
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "NOT_FOUND" });
    expect(h.standIn.catalog.tones.get(110)!.downloads_count).toBe(downloadsBefore);
  });

  it("refuses, when saved and naming the field and the file, a Tone 3000 file that is not what it is used as", async () => {
    const before = (await h.client.shootouts.list.query({})).items.length;
    // A .nam picked as the cabinet.
    const namAsCab = await refusal([
      { displayName: "A", amp },
      {
        displayName: "B",
        amp,
        cabinet: { source: "tone3000", tone3000ToneId: "104", tone3000ModelId: "1005" },
      },
    ]);
    expect(namAsCab.code).toBe("BAD_REQUEST");
    expect(namAsCab.message).toMatch(
      /^tones\.1\.cabinet\.tone3000ModelId: '.*' is not a WAV impulse response/,
    );
    // An IR picked as the amp (fresh id: nothing cached about it as a .nam).
    await h.t.db.deleteFrom("modelCache").where("tone3000ModelId", "=", "1017").execute();
    const irAsAmp = await refusal([
      { displayName: "A", amp },
      { displayName: "B", amp: { tone3000ToneId: "110", tone3000ModelId: "1017" } },
    ]);
    expect(irAsAmp.message).toMatch(
      /^tones\.1\.amp\.tone3000ModelId: 'mesa\.wav' is not a valid \.nam model/,
    );
    // A file that is neither (Tone 3000 serving something else).
    h.standIn.faults.next({ path: h.standIn.downloadPath(1008), status: 200, body: "<html>oops</html>" });
    const neither = await refusal([
      { displayName: "A", amp },
      { displayName: "B", cabinet: { source: "tone3000", tone3000ToneId: "106", tone3000ModelId: "1008" } },
    ]);
    expect(neither.message).toBe(
      "tones.1.cabinet.tone3000ModelId: 'synthetic_1x12_open.wav' is not a WAV impulse response: not a WAV file",
    );
    const cached = await h.t.db.selectFrom("modelCache").select("tone3000ModelId").execute();
    expect(cached.map((c) => c.tone3000ModelId)).not.toContain("1008");
    // Legacy flat shape: the field it sent is named.
    const flat = await refusal([
      { displayName: "A", amp },
      { displayName: "B", tone3000ToneId: "110", tone3000ModelId: "1014" },
    ]);
    expect(flat.message).toMatch(/^tones\.1\.tone3000ModelId: 'ampeg\.wav' is not a valid \.nam model/);
    // Neither amp nor cabinet: a zod issue on the tone.
    const empty = await refusal([{ displayName: "A", amp }, { displayName: "B" }]);
    expect(empty.code).toBe("BAD_REQUEST");
    expect(empty.message).toMatch(/a tone needs an amp, a cabinet, or both/);
    expect((await h.client.shootouts.list.query({})).items.length).toBe(before);
  }, 60_000);
});
