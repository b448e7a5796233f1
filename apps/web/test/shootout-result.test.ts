import type { ShootoutResult } from "@shootout/pipeline";
import { describe, expect, it } from "vitest";
import { segmentNames } from "../src/lib/segment-names.ts";
import {
  parseShootoutResult,
  type ResultFile,
  type ResultMetrics,
  type ShootoutResultView,
} from "../src/lib/shootout-result.ts";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const file = (n: number, format: "wav" | "flac" | "mp4"): ShootoutResult["joined"][number] => ({
  fileId: id(n),
  name: `file-${n}.${format}`,
  format,
  sizeBytes: 1000 + n,
  sha256: "a".repeat(64),
});
const metrics: ShootoutResult["segments"][number]["metrics"] = {
  rms: -20,
  peak: -3,
  truePeak: -2.5,
  crestFactor: 17,
  integratedLufs: -18,
  spectralCentroid: 1500,
  bassRatio: 0.4,
  midRatio: 0.5,
  trebleRatio: 0.1,
  durationSeconds: 1.5,
  lufsBeforeMatch: -12,
  gainDb: -6,
  limiterDb: 0,
  peakLimited: false,
};

// The pipeline's own type: if it changes shape, this file stops compiling or the parse fails.
const blindResult: ShootoutResult = {
  version: 1,
  sampleRate: 48000,
  diDurationMs: 1500,
  gapMs: 750,
  blind: true,
  normalizeLoudness: true,
  targetLufs: -18,
  segments: [
    { label: "Tone A", toneSelectionId: null, startMs: 0, endMs: 1500, metrics, files: [file(3, "flac")] },
    { label: "Tone B", toneSelectionId: null, startMs: 2250, endMs: 3750, metrics, files: [file(4, "flac")] },
  ],
  joined: [file(1, "flac"), file(2, "wav")],
  video: file(5, "mp4"),
  notes: ["DI summed to mono"],
  timings: { render: 1.2 },
};

// Compile-time: what the pipeline writes fits what the page reads.
const _metrics: ResultMetrics = metrics;
const _file: ResultFile = file(1, "wav");
void _metrics;
void _file;

const tone = (n: number, name: string, startMs: number | null, endMs: number | null) => ({
  id: id(100 + n),
  position: n,
  displayName: name,
  amp: {
    tone3000ToneId: "1",
    tone3000ModelId: "1",
    modelSize: null,
    architecture: null,
    slim: null,
    license: null,
    author: null,
  },
  cabinet: null,
  tone3000ToneId: "1",
  tone3000ModelId: "1",
  modelSize: null,
  architecture: null,
  ampSlim: null,
  irFileId: null,
  hasIr: false,
  irName: null,
  highpass: true,
  effects: [],
  startMs,
  endMs,
  metrics: null,
});

describe("a job's render result on the results page", () => {
  it("reads the pipeline's result: segments in play order, joined files, video, notes", () => {
    const view = parseShootoutResult(JSON.parse(JSON.stringify(blindResult))) as ShootoutResultView;
    expect(view).not.toBeNull();
    expect(view.blind).toBe(true);
    expect(view.segments.map((s) => [s.label, s.startMs, s.endMs])).toEqual([
      ["Tone A", 0, 1500],
      ["Tone B", 2250, 3750],
    ]);
    expect(view.segments[0]?.metrics.integratedLufs).toBe(-18);
    expect(view.joined.map((f) => f.format)).toEqual(["flac", "wav"]);
    expect(view.video?.fileId).toBe(id(5));
    expect(view.notes).toEqual(["DI summed to mono"]);
  });

  it("is null for a result that is not a render's (placeholder, damaged)", () => {
    expect(parseShootoutResult(null)).toBeNull();
    expect(parseShootoutResult({ placeholder: true, tones: [], outputs: [] })).toBeNull();
    expect(parseShootoutResult({ ...blindResult, joined: [{ fileId: 1 }] })).toBeNull();
  });

  it("names blind segments by letter until revealed, then by letter and tone", () => {
    const view = parseShootoutResult(blindResult)!;
    const hidden = [tone(0, "Clean", null, null), tone(1, "Crunch", null, null)];
    expect(segmentNames(view.segments, hidden)).toEqual(["Tone A", "Tone B"]);
    // Revealed: the shuffled order put Crunch first.
    const revealed = [tone(0, "Clean", 2250, 3750), tone(1, "Crunch", 0, 1500)];
    expect(segmentNames(view.segments, revealed)).toEqual(["Tone A: Crunch", "Tone B: Clean"]);
  });

  it("names a sighted shootout's segments by their tone", () => {
    const sighted = {
      ...blindResult,
      blind: false,
      segments: blindResult.segments.map((s, i) => ({ ...s, label: `x${i}`, toneSelectionId: id(100 + i) })),
    };
    const view = parseShootoutResult(sighted)!;
    expect(segmentNames(view.segments, [tone(0, "Clean", 0, 1500), tone(1, "Crunch", 2250, 3750)])).toEqual([
      "Clean",
      "Crunch",
    ]);
  });
});
