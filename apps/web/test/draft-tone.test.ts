import { describe, expect, it } from "vitest";
import type { Tone, ToneModel, ToneSelection } from "../src/lib/api-types.ts";
import {
  cabinetFrom,
  draftFrom,
  draftFromSelection,
  hasSizes,
  move,
  toSelectionInput,
} from "../src/lib/draft-tone.ts";
import { toneCredit } from "../src/lib/tone-credit.ts";

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

const irModel: ToneModel = {
  id: 1017,
  toneId: 110,
  name: "Mesa cab IR",
  size: null,
  architecture: null,
  kind: "ir",
  label: "IR",
  renderable: false,
  unsupportedReason: "an IR is a cabinet, not an amp capture",
};

describe("a tone being set up", () => {
  it("becomes the router's selection input: ids as strings, presets then gain, the cabinet when picked", () => {
    const draft = draftFrom(tone, model);
    expect(toSelectionInput(draft)).toEqual({
      displayName: "Tiny WaveNet Drive – Tiny WaveNet",
      amp: {
        tone3000ToneId: "104",
        tone3000ModelId: "1005",
        modelSize: "nano",
        architecture: "custom",
        size: null,
      },
      cabinet: null,
      highpass: true,
      effects: [],
    });
    draft.presets.add("reverb:room");
    draft.gainDb = -3.5;
    draft.highpass = false;
    draft.cabinet = { source: "upload", fileId: "00000000-0000-4000-8000-000000000001", name: "cab.wav" };
    expect(toSelectionInput(draft)).toMatchObject({
      cabinet: { source: "upload", irFileId: "00000000-0000-4000-8000-000000000001" },
      highpass: false,
      effects: ["reverb:room", "gain:-3.5"],
    });
    draft.cabinet = cabinetFrom({ ...tone, id: 110, title: "Cabs" }, { ...irModel, name: "Mesa" });
    expect(toSelectionInput(draft).cabinet).toEqual({
      source: "tone3000",
      tone3000ToneId: "110",
      tone3000ModelId: "1017",
      name: "Cabs – Mesa",
    });
  });

  it("an IR model picked in the browser is a cabinet-only tone; an A2 amp carries its size", () => {
    const irOnly = draftFrom({ ...tone, id: 110, title: "Cabs" }, irModel);
    expect(toSelectionInput(irOnly)).toMatchObject({
      amp: null,
      cabinet: {
        source: "tone3000",
        tone3000ToneId: "110",
        tone3000ModelId: "1017",
        name: "Cabs – Mesa cab IR",
      },
    });
    expect(hasSizes(irOnly.amp)).toBe(false);
    const a2 = draftFrom(tone, { ...model, id: 1012, architecture: "2" });
    expect(hasSizes(a2.amp)).toBe(true);
    a2.amp!.slim = 0;
    expect(toSelectionInput(a2).amp).toMatchObject({ tone3000ModelId: "1012", architecture: "2", size: 0 });
  });

  it("a saved tone comes back as a draft that saves the same (gains summed into one)", () => {
    const saved: ToneSelection = {
      id: "00000000-0000-4000-8000-0000000000aa",
      position: 0,
      displayName: "Tiny",
      amp: {
        tone3000ToneId: "104",
        tone3000ModelId: "1005",
        modelSize: "nano",
        architecture: "custom",
        slim: null,
        license: "cc-by",
        author: "nam_core_examples",
      },
      cabinet: { source: "upload", irFileId: "00000000-0000-4000-8000-000000000001", name: "4x12 V30.wav" },
      tone3000ToneId: "104",
      tone3000ModelId: "1005",
      modelSize: "nano",
      architecture: "custom",
      ampSlim: null,
      irFileId: "00000000-0000-4000-8000-000000000001",
      hasIr: true,
      irName: "4x12 V30.wav",
      highpass: false,
      effects: ["reverb:room", "gain:-3", "gain:1.5"],
      startMs: null,
      endMs: null,
      metrics: null,
    };
    expect(toneCredit(saved)).toBe("Amp by nam_core_examples (cc-by)");
    expect(
      toneCredit({
        ...saved,
        cabinet: {
          source: "tone3000",
          tone3000ToneId: "110",
          tone3000ModelId: "1017",
          name: "Mesa",
          license: "t3k",
          author: "t3k-community",
        },
      }),
    ).toBe("Amp by nam_core_examples (cc-by) · Cab by t3k-community (t3k)");
    expect(toneCredit({ ...saved, amp: { ...saved.amp!, license: null, author: null } })).toBeNull();
    const draft = draftFromSelection(saved, "cab.wav");
    expect(draft.cabinet).toEqual({ source: "upload", fileId: saved.irFileId, name: "cab.wav" });
    expect(toSelectionInput(draft)).toEqual({
      displayName: "Tiny",
      amp: {
        tone3000ToneId: "104",
        tone3000ModelId: "1005",
        modelSize: "nano",
        architecture: "custom",
        size: null,
      },
      cabinet: { source: "upload", irFileId: saved.irFileId },
      highpass: false,
      effects: ["reverb:room", "gain:-1.5"],
    });
    expect(
      draftFromSelection(
        { ...saved, amp: { ...saved.amp!, modelSize: null }, cabinet: null, irFileId: null },
        null,
      ),
    ).toMatchObject({ cabinet: null, amp: { size: "" } });
  });

  it("moves up and down within the list and ignores moves off either end", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});
