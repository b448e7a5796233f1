import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardFrameList, drawTitleCards, startShootoutVideo, type TitleCards } from "../src/render-video.ts";
import { ffprobeAvailable, keyFrameSeconds, probeStreams } from "./ffprobe.ts";

const SR = 48_000;

const THUMB = 96 * 54;

/** `file`'s frames as 96×54 grey; with `fps`, resampled (each output frame is the one showing then). */
function framesOf(file: string, fps?: number): Uint8Array[] {
  const bytes = execFileSync(
    "ffmpeg",
    [
      ...["-v", "error", "-i", file],
      ...["-vf", `${fps ? `fps=${fps},` : ""}scale=96:54`, "-pix_fmt", "gray", "-f", "rawvideo", "pipe:1"],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return Array.from({ length: bytes.length / THUMB }, (_, i) => bytes.subarray(i * THUMB, (i + 1) * THUMB));
}

const distance = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0);

describe("cardFrameList", () => {
  it("starts each card at the running total, to the ms, in frames of at most 2 s", () => {
    const { list, starts } = cardFrameList(["a", "b", "c"], [1.0004, 4.5003, 0.9996]);
    expect(starts).toEqual([0, 1000, 5501]);
    const durations = [...list.matchAll(/duration ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(durations).toEqual([1, 2, 2, 0.501, 0.999]);
    expect(list.split("\n").filter((l) => l.startsWith("file")).length).toBe(6);
  });
});

describe.skipIf(!ffprobeAvailable)("the shootout video", () => {
  const seconds = [1.5, 2.25, 1.75];
  let cards: TitleCards;
  let dir: string;
  let mp4: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "video-test-"));
    cards = await drawTitleCards({
      ffmpegPath: "ffmpeg",
      cards: ["Alpha", "Bravo Bravo Bravo", "C"].map((title, i) => ({
        heading: "video test",
        title,
        lines: [`line ${"x".repeat(i * 10)}`],
        footer: `${i + 1} / 3`,
      })),
    });
    const video = await startShootoutVideo({
      ffmpegPath: "ffmpeg",
      cards: cards.files,
      seconds,
      sampleRate: SR,
    });
    const total = seconds.reduce((a, b) => a + b, 0);
    const audio = new Float32Array(Math.round(total * SR)).map(
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR),
    );
    // Written in pieces, as the pipeline feeds segments.
    video.write(audio.subarray(0, SR));
    video.write(audio.subarray(SR));
    mp4 = path.join(dir, "out.mp4");
    writeFileSync(mp4, await video.finish());
  }, 60_000);

  afterAll(async () => {
    await cards?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("changes card on the exact millisecond, with a key frame at each card", () => {
    const keys = keyFrameSeconds(mp4);
    expect(keys).toEqual([0, 1.5, 3.75]);
  });

  it("shows each card for its own time", () => {
    const own = cards.files.map((f) => framesOf(f)[0]!);
    const frames = framesOf(mp4, 100);
    const shown = (t: number) => {
      const frame = frames[Math.round(t * 100)]!;
      const d = own.map((card) => distance(frame, card));
      return d.indexOf(Math.min(...d));
    };
    expect([0.2, 1.49, 1.51, 3.74, 3.76, 5.4].map(shown)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("is as long as the soundtrack, H.264 1080p and AAC 48 kHz", () => {
    const probe = probeStreams(mp4);
    const [v, a] = ["video", "audio"].map((type) => probe.streams.find((s) => s.codec_type === type)!);
    expect(v).toMatchObject({ codec_name: "h264", width: 1920, height: 1080 });
    expect(a).toMatchObject({ codec_name: "aac", sample_rate: "48000" });
    expect(Number(a!.duration)).toBeCloseTo(5.5, 1);
    expect(Number(v!.duration)).toBeCloseTo(5.5, 1);
  });
});
