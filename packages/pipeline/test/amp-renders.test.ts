import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseNamModel, renderNam, slimNamModel } from "@shootout/audio";
import { afterAll, describe, expect, it } from "vitest";
import { type AmpOf, planAmpRenders } from "../src/amp-renders.ts";
import { splitReceptiveField } from "../src/model-cache.ts";
import { createRenderPool } from "../src/render-pool.ts";
import { ampInput, NAM_CHUNK_SAMPLES } from "../src/tone-chain.ts";
import { CATALOG } from "./harness.ts";
import { MODELS } from "./reference.ts";

function ampOf(file: string, highpass: boolean, slim: number | null = null): AmpOf {
  const namText = readFileSync(path.join(CATALOG, file), "utf8");
  const model = parseNamModel(namText);
  return {
    modelSha256: createHash("sha256").update(namText).digest("hex"),
    amp: { namText, slim },
    receptiveField: splitReceptiveField(model, slim),
    highpass,
  };
}

/** 1.5 s of decaying plucks at 48 kHz. */
function pluck(): Float32Array {
  const x = new Float32Array(72_000);
  for (let i = 0; i < x.length; i++) {
    const t = (i % 24_000) / 48_000;
    x[i] = 0.4 * Math.exp(-3 * t) * Math.sin(2 * Math.PI * 110 * t);
  }
  return x;
}

describe("planAmpRenders", () => {
  const pool = createRenderPool(2);
  afterAll(() => pool.close());

  it("renders NAM once for tones of one model and high-pass setting, each getting its own equal copy", async () => {
    const di = pluck();
    const tones = [
      ampOf(MODELS.tinyWaveNet.file, true),
      ampOf(MODELS.lstm.file, true),
      ampOf(MODELS.tinyWaveNet.file, true),
      ampOf(MODELS.tinyWaveNet.file, false),
      ampOf(MODELS.lstm.file, true),
    ];
    const highpassCpu: number[] = [];
    const amps = planAmpRenders({
      pool,
      di,
      tones,
      signal: new AbortController().signal,
      onHighpassCpu: (s) => highpassCpu.push(s),
    });
    const progress = tones.map(() => [] as number[]);
    const pending = tones.map((_, i) => amps.render(i, (f) => progress[i]!.push(f)));
    // Every tone is rendered ahead here: shared (0, 2 and 1, 4) or split in halves (3, a WaveNet).
    expect(pending.every((p) => p !== null)).toBe(true);
    const results = await Promise.all(pending);

    for (const [i, tone] of tones.entries()) {
      const expected = await renderNam(parseNamModel(tone.amp.namText), ampInput(di, tone.highpass), {
        chunkSize: NAM_CHUNK_SAMPLES,
      });
      expect(results[i]!.samples).toEqual(expected);
    }
    // Copies, not one buffer: the pool gives each tone's away to its thread.
    expect(results[0]!.samples.buffer).not.toBe(results[2]!.samples.buffer);
    // The render's CPU counts once, for the first tone that asked.
    expect(results[0]!.seconds).toBeGreaterThan(0);
    expect(results[2]!.seconds).toBe(0);
    expect(results[1]!.seconds).toBeGreaterThan(0);
    expect(results[4]!.seconds).toBe(0);
    expect(results[3]!.seconds).toBeGreaterThan(0);
    // Every sharer saw the shared render progress to the end.
    for (const i of [0, 2, 1, 4]) expect(progress[i]!.at(-1)).toBe(1);
    // The high-passed and the plain DI were each made once, for the split WaveNet renders.
    expect(highpassCpu).toHaveLength(2);
  });

  it("leaves an LSTM of its own to the tone's thread (nothing to share, nothing to split)", async () => {
    const amps = planAmpRenders({
      pool,
      di: pluck(),
      tones: [ampOf(MODELS.lstm.file, true), ampOf(MODELS.tinyWaveNet.file, true)],
      signal: new AbortController().signal,
      onHighpassCpu: () => {},
    });
    expect(amps.render(0, () => {})).toBeNull();
    const split = amps.render(1, () => {});
    expect(split).not.toBeNull();
    expect((await split)!.samples.length).toBe(72_000);
  });

  it("a failed shared render fails every tone that shares it", async () => {
    const broken = { ...ampOf(MODELS.lstm.file, true), amp: { namText: "{ not a model", slim: null } };
    const amps = planAmpRenders({
      pool,
      di: pluck(),
      tones: [broken, broken],
      signal: new AbortController().signal,
      onHighpassCpu: () => {},
    });
    const results = await Promise.allSettled([amps.render(0, () => {}), amps.render(1, () => {})]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("two sizes of one A2 capture are two renders (never shared), each its own size's output", async () => {
    const di = pluck();
    const tones = [
      ampOf(MODELS.a2.file, true),
      ampOf(MODELS.a2.file, true, 0),
      ampOf(MODELS.a2.file, true, 0.2),
      null,
    ];
    // The sizes of one file share its bytes; a key without the size would give all three one render.
    expect(new Set(tones.map((x) => x?.modelSha256)).size).toBe(2);
    const amps = planAmpRenders({
      pool,
      di,
      tones,
      signal: new AbortController().signal,
      onHighpassCpu: () => {},
    });
    const [full, smallest, alsoSmallest, none] = [0, 1, 2, 3].map((i) => amps.render(i, () => {}));
    expect(none).toBeNull();
    const model = parseNamModel(tones[0]!.amp.namText);
    const input = ampInput(di, true);
    const expectFull = await renderNam(model, input, { chunkSize: NAM_CHUNK_SAMPLES });
    const expectSmallest = await renderNam(slimNamModel(model, 0), input, { chunkSize: NAM_CHUNK_SAMPLES });
    expect(expectFull).not.toEqual(expectSmallest);
    expect((await full!).samples).toEqual(expectFull);
    expect((await smallest!).samples).toEqual(expectSmallest);
    // 0 and 0.2 are different slim values picking the same submodel: still each rendered right.
    expect((await alsoSmallest!).samples).toEqual(expectSmallest);
  });
});
