import { readFileSync } from "node:fs";
import path from "node:path";
import { parseNamModel, renderNam, slimNamModel } from "@shootout/audio";
import { describe, expect, it } from "vitest";
import { splitReceptiveField } from "../src/model-cache.ts";
import { ampInput, NAM_CHUNK_SAMPLES, renderNamPart } from "../src/tone-chain.ts";
import { CATALOG } from "./harness.ts";
import { MODELS } from "./reference.ts";

/** A guitar-like test input: decaying plucked partials, 2 s at 48 kHz. */
function pluck(): Float32Array {
  const x = new Float32Array(96_000);
  for (let i = 0; i < x.length; i++) {
    const t = (i % 24_000) / 48_000;
    x[i] = 0.4 * Math.exp(-3 * t) * (Math.sin(2 * Math.PI * 110 * t) + 0.5 * Math.sin(2 * Math.PI * 330 * t));
  }
  return x;
}

describe("a model rendered in two parts (threads share a tone)", () => {
  it("gives the one-go render bit for bit when the second part has the receptive field as lead-in (A1, A2 both sizes)", async () => {
    const cases = [
      { file: MODELS.standard.file, slim: null },
      { file: MODELS.tinyWaveNet.file, slim: null },
      { file: MODELS.a2.file, slim: null },
      { file: MODELS.a2.file, slim: 0 },
    ];
    for (const { file, slim } of cases) {
      const namText = readFileSync(path.join(CATALOG, file), "utf8");
      const full = parseNamModel(namText);
      const model = slim === null ? full : slimNamModel(full, slim);
      const input = ampInput(pluck(), true);
      const whole = await renderNam(model, input, { chunkSize: NAM_CHUNK_SAMPLES });
      const mid = 48_017;
      const lead = splitReceptiveField(full, slim);
      if (lead === null) throw new Error(`${file} cannot be split`);
      const first = await renderNamPart({ namText, slim }, input.subarray(0, mid), 0);
      const second = await renderNamPart({ namText, slim }, input.subarray(mid - lead), lead);
      const joined = new Float32Array(input.length);
      joined.set(first.samples);
      joined.set(second.samples, mid);
      expect(second.samples.length).toBe(input.length - mid);
      expect(joined).toEqual(whole);
    }
  });
});

describe("splitReceptiveField", () => {
  it("is the audio package's receptive field at the size rendered, null for recurrent models", () => {
    const of = (file: string) => parseNamModel(readFileSync(path.join(CATALOG, file), "utf8"));
    expect(splitReceptiveField(of(MODELS.a2.file))).toBe(6347);
    expect(splitReceptiveField(of(MODELS.a2.file), 0)).toBe(6347);
    expect(splitReceptiveField(of(MODELS.lstm.file))).toBeNull();
    expect(splitReceptiveField(of(MODELS.standard.file))).toBeGreaterThan(4000);
  });
});
