import { describe, expect, it } from "vitest";
import type { Tone, ToneModel, ToneSelection } from "../src/lib/api-types.ts";
import { draftFrom, draftFromSelection, move, toSelectionInput } from "../src/lib/draft-tone.ts";

const tone: Tone = {
  id: 104,
  title: "Tiny WaveNet Drive",
  description: null,
  gear: "pedal",
  format: "nam",
  license: "cc-by",
  sizes: ["nano"],
  makes: [],
  tags: [],
  images: [],
  isPublic: true,
  modelsCount: 1,
  counts: { a1: 0, a2: 0, custom: 1, irs: 0 },
  downloadsCount: 0,
  favoritesCount: 0,
  url: "https://example.invalid/tones/104",
  createdAt: null,
  creator: { id: "c", username: "creator", avatarUrl: null },
};
const model: ToneModel = {
  id: 1005,
  toneId: 104,
  name: "Tiny WaveNet",
  size: "nano",
  architecture: "custom",
  kind: "nam",
  label: "custom · nano",
  renderable: true,
  unsupportedReason: null,
};

describe("a tone being set up", () => {
  it("becomes the router's selection input: ids as strings, presets then gain, IR when uploaded", () => {
    const draft = draftFrom(tone, model);
    expect(toSelectionInput(draft)).toEqual({
      tone3000ToneId: "104",
      tone3000ModelId: "1005",
      displayName: "Tiny WaveNet Drive – Tiny WaveNet",
      modelSize: "nano",
      architecture: "custom",
      irFileId: null,
      highpass: true,
      effects: [],
    });
    draft.presets.add("reverb:room");
    draft.gainDb = -3.5;
    draft.highpass = false;
    draft.ir = { fileId: "00000000-0000-4000-8000-000000000001", name: "cab.wav" };
    expect(toSelectionInput(draft)).toMatchObject({
      irFileId: "00000000-0000-4000-8000-000000000001",
      highpass: false,
      effects: ["reverb:room", "gain:-3.5"],
    });
  });

  it("a saved tone comes back as a draft that saves the same (gains summed into one)", () => {
    const saved: ToneSelection = {
      id: "00000000-0000-4000-8000-0000000000aa",
      position: 0,
      tone3000ToneId: "104",
      tone3000ModelId: "1005",
      displayName: "Tiny",
      modelSize: "nano",
      architecture: "custom",
      irFileId: "00000000-0000-4000-8000-000000000001",
      hasIr: true,
      irName: "4x12 V30.wav",
      highpass: false,
      effects: ["reverb:room", "gain:-3", "gain:1.5"],
      startMs: null,
      endMs: null,
      metrics: null,
    };
    const draft = draftFromSelection(saved, "cab.wav");
    expect(draft.ir).toEqual({ fileId: saved.irFileId, name: "cab.wav" });
    expect(toSelectionInput(draft)).toEqual({
      tone3000ToneId: "104",
      tone3000ModelId: "1005",
      displayName: "Tiny",
      modelSize: "nano",
      architecture: "custom",
      irFileId: saved.irFileId,
      highpass: false,
      effects: ["reverb:room", "gain:-1.5"],
    });
    expect(draftFromSelection({ ...saved, modelSize: null, irFileId: null }, null)).toMatchObject({
      ir: null,
      size: "",
    });
  });

  it("moves up and down within the list and ignores moves off either end", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});
