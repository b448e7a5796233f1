import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeFlac, decodeWav } from "@shootout/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutResultSchema } from "../src/index.ts";
import { ffprobeAvailable } from "./ffprobe.ts";
import { downloadFile, followJob, type Harness, shortDiWav, startHarness, uploadFile } from "./harness.ts";
import { IR_FILE, MODELS, maxAbsDiff, TONE3000_IRS } from "./reference.ts";

/** The container's tags as ffprobe (an independent reader) sees them, keys lowercased. */
function tagsOf(bytes: Uint8Array, ext: string): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tags-"));
  try {
    const file = path.join(dir, `f.${ext}`);
    writeFileSync(file, bytes);
    const out = execFileSync(
      "ffprobe",
      ["-v", "error", "-show_entries", "format_tags", "-of", "json", file],
      {
        encoding: "utf8",
      },
    );
    const tags = (JSON.parse(out) as { format?: { tags?: Record<string, string> } }).format?.tags ?? {};
    return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("licence and attribution: stored when saved, in the outputs' metadata and a credits file", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("stores each tone's licence and author from Tone 3000 and writes them into the per-tone WAV and FLAC and credits.txt", async () => {
    const diBytes = shortDiWav(1.5);
    const diFileId = await uploadFile(h, diBytes, "di", "take.wav");
    const { readFileSync } = await import("node:fs");
    const irFileId = await uploadFile(h, readFileSync(IR_FILE), "ir", "my cab.wav");
    const amp = { tone3000ToneId: MODELS.tinyWaveNet.toneId, tone3000ModelId: MODELS.tinyWaveNet.modelId };
    const mesa = TONE3000_IRS.mesa;
    const shootout = await h.client.shootouts.create.mutate({
      name: "Credits",
      diFileId,
      outputFormats: ["wav", "flac"],
      tones: [
        {
          displayName: "Tiny + Mesa",
          amp,
          cabinet: {
            source: "tone3000",
            tone3000ToneId: mesa.toneId,
            tone3000ModelId: mesa.modelId,
            name: mesa.name,
          },
        },
        {
          displayName: "Feather + my cab",
          amp: { tone3000ToneId: "102", tone3000ModelId: "1003" },
          cabinet: { source: "upload", irFileId },
        },
      ],
    });
    expect(shootout.tones.map((t) => [t.amp?.license, t.amp?.author, t.cabinet])).toEqual([
      [
        "cc-by",
        "nam_core_examples",
        {
          source: "tone3000",
          tone3000ToneId: "110",
          tone3000ModelId: "1017",
          name: mesa.name,
          license: "t3k",
          author: "t3k-community",
        },
      ],
      ["t3k", "t3k-community", { source: "upload", irFileId, name: "my cab.wav" }],
    ]);
    // Anyone who may see the shootout sees the credits (not the file ids).
    const job = await h.client.jobs.create.mutate({ shootoutId: shootout.id });
    await followJob(h.client, job.id);
    const done = await h.client.jobs.get.query({ jobId: job.id });
    expect(done.status).toBe("completed");
    const result = shootoutResultSchema.parse(done.result);

    const credits = new TextDecoder().decode(await downloadFile(h, result.credits!.fileId));
    expect(result.credits!.name).toBe("Credits - credits.txt");
    expect(credits).toContain("1. Tiny + Mesa");
    expect(credits).toContain(
      "Amp: WaveNet | Tone 3000 tone 104, model 1005 | author: nam_core_examples | licence: cc-by",
    );
    expect(credits).toContain(
      `Cab: ${mesa.name} | Tone 3000 tone 110, model 1017 | author: t3k-community | licence: t3k`,
    );
    expect(credits).toContain(
      "Cab: my cab.wav | uploaded by the shootout's owner | author: unknown | licence: unknown",
    );

    if (!ffprobeAvailable) return;
    const first = result.segments[0]!;
    const wav = await downloadFile(h, first.files.find((f) => f.format === "wav")!.fileId);
    const flac = await downloadFile(h, first.files.find((f) => f.format === "flac")!.fileId);
    for (const tags of [tagsOf(wav, "wav"), tagsOf(flac, "flac")]) {
      expect(tags.title).toBe("Credits – Tiny + Mesa");
      expect(tags.artist).toBe("nam_core_examples / t3k-community");
      expect(tags.copyright ?? tags.license).toBe("amp: cc-by; cab: t3k");
      expect(tags.comment).toBe(
        `Amp: WaveNet (by nam_core_examples, licence cc-by); Cab: ${mesa.name} (by t3k-community, licence t3k)`,
      );
    }
    // The tags change no sample: the WAV and FLAC still decode to the same audio.
    expect(maxAbsDiff(decodeWav(wav).channels[0]!, (await decodeFlac(flac)).channels[0]!)).toBeLessThan(1e-6);
  }, 180_000);
});
