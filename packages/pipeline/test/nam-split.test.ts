import { readFileSync } from "node:fs";
import path from "node:path";
import { parseNamModel, renderNam } from "@shootout/audio";
import { describe, expect, it } from "vitest";
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

describe("a WaveNet rendered in two parts (threads share a tone)", () => {
  it("gives the one-go render bit for bit when the second part has the receptive field as lead-in", async () => {
    for (const file of [MODELS.standard.file, MODELS.tinyWaveNet.file]) {
      const namText = readFileSync(path.join(CATALOG, file), "utf8");
      const model = parseNamModel(namText);
      if (model.architecture !== "WaveNet") throw new Error(`${file} is not a WaveNet`);
      const input = ampInput(pluck(), true);
      const whole = await renderNam(model, input, { chunkSize: NAM_CHUNK_SAMPLES });
      const mid = 48_017;
      const lead = model.receptiveField;
      const first = await renderNamPart(namText, input.subarray(0, mid), 0);
      const second = await renderNamPart(namText, input.subarray(mid - lead), lead);
      const joined = new Float32Array(input.length);
      joined.set(first.samples);
      joined.set(second.samples, mid);
      expect(second.samples.length).toBe(input.length - mid);
      expect(joined).toEqual(whole);
    }
  });
});
