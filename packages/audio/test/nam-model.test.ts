import { describe, expect, it } from "vitest";
import {
  AudioError,
  createJsNamRenderer,
  createNamRenderer,
  namWasmAvailable,
  parseNamModel,
  renderNam,
} from "../src/index.ts";
import { readF32, readModelBytes } from "./helpers/reference.ts";

const input = readF32("input/di_raid_10s_48k.f32");
const tinyJson = () =>
  JSON.parse(new TextDecoder().decode(readModelBytes("wavenet"))) as Record<string, unknown>;
const lstmJson = () =>
  JSON.parse(new TextDecoder().decode(readModelBytes("lstm"))) as Record<string, unknown>;

function expectCode(fn: () => unknown, code: string, message?: RegExp) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AudioError);
  expect((err as AudioError).code).toBe(code);
  if (message) expect((err as AudioError).message).toMatch(message);
}

describe(".nam validation", () => {
  it("reads the metadata that matters", () => {
    const m = parseNamModel(readModelBytes("wavenet_a1_standard"));
    expect(m.architecture).toBe("WaveNet");
    expect(m.sampleRate).toBe(48_000);
    expect(m.sampleRateAssumed).toBe(true);
    if (m.architecture === "WaveNet") {
      expect(m.receptiveField).toBe(4093);
      expect(m.headScale).toBeCloseTo(0.02, 8);
    }
    const jcm = parseNamModel(readModelBytes("jcm"));
    expect(jcm.loudness).toBeCloseTo(-8.5013, 3);
    const tiny = parseNamModel(readModelBytes("wavenet"));
    expect(tiny.sampleRateAssumed).toBe(false);
    if (tiny.architecture === "WaveNet") expect(tiny.receptiveField).toBe(23);
  });

  it("uses the last weight as head_scale, not config.head_scale", () => {
    const j = tinyJson();
    (j.config as { head_scale: number }).head_scale = 123;
    const m = parseNamModel(j);
    if (m.architecture !== "WaveNet") throw new Error("expected WaveNet");
    expect(m.headScale).toBeCloseTo(0.02, 8);
  });

  it("rejects malformed files with typed errors", () => {
    expectCode(() => parseNamModel("{not json"), "INVALID_NAM", /JSON/);
    expectCode(() => parseNamModel(new TextEncoder().encode("[1,2]")), "INVALID_NAM");
    const noWeights = tinyJson();
    delete noWeights.weights;
    expectCode(() => parseNamModel(noWeights), "INVALID_NAM", /weights/);
    const short = tinyJson();
    (short.weights as number[]).pop();
    expectCode(() => parseNamModel(short), "INVALID_NAM", /131 weights, the file has 130/);
    const long = lstmJson();
    (long.weights as number[]).push(0);
    expectCode(() => parseNamModel(long), "INVALID_NAM", /70 weights/);
    const text = new TextDecoder()
      .decode(readModelBytes("wavenet"))
      .replace(/"weights": ?\[/, '"weights": [NaN, ');
    expectCode(() => parseNamModel(text), "INVALID_NAM");
    const nan = tinyJson();
    (nan.weights as number[])[5] = Number.NaN;
    expectCode(() => parseNamModel(nan), "INVALID_NAM");
    const badCfg = tinyJson();
    (badCfg.config as { layers: { channels: unknown }[] }).layers[0]!.channels = "three";
    expectCode(() => parseNamModel(badCfg), "INVALID_NAM", /channels/);
    const lstmCfg = lstmJson();
    (lstmCfg.config as { hidden_size: number }).hidden_size = 0;
    expectCode(() => parseNamModel(lstmCfg), "INVALID_NAM");
  });

  it("names unsupported architectures and activations", () => {
    for (const arch of ["CatLSTM", "SlimmableWaveNet", "custom"]) {
      const j = tinyJson();
      j.architecture = arch;
      expectCode(() => parseNamModel(j), "UNSUPPORTED_ARCHITECTURE", new RegExp(arch));
    }
    // Features of the configurable WaveNet are read now; a wrong one is named, not ignored.
    const a2 = tinyJson();
    (a2.config as { layers: Record<string, unknown>[] }).layers[0]!.bottleneck = 2;
    expectCode(() => parseNamModel(a2), "INVALID_NAM", /131 weights|needs \d+ weights/);
    const head = tinyJson();
    (head.config as Record<string, unknown>).head = { channels: 4 };
    expectCode(
      () => parseNamModel(head),
      "INVALID_NAM",
      /config\.head\.(out_channels|kernel_sizes|activation)/,
    );
    const act = tinyJson();
    (act.config as { layers: Record<string, unknown>[] }).layers[1]!.activation = "Mish";
    expectCode(() => parseNamModel(act), "UNSUPPORTED_ACTIVATION", /config\.layers\[1\]\.activation: .*Mish/);
  });

  it("accepts other A1 activations and gated layers; both backends agree on them", async () => {
    const activations = [
      "ReLU",
      "Hardtanh",
      "Sigmoid",
      "Fasttanh",
      "SiLU",
      "Hardswish",
      "Softsign",
      { type: "LeakyReLU", negative_slope: 0.2 },
      { type: "LeakyHardtanh", min_val: -0.5, max_val: 0.7, min_slope: 0.1, max_slope: 0.05 },
    ];
    for (const activation of activations) {
      const j = tinyJson();
      for (const l of (j.config as { layers: Record<string, unknown>[] }).layers) l.activation = activation;
      const model = parseNamModel(j);
      const out = new Float32Array(2000);
      createJsNamRenderer(model).process(input.subarray(0, 2000), out);
      expect(out.every(Number.isFinite)).toBe(true);
      if (namWasmAvailable) {
        const out2 = new Float32Array(2000);
        (await createNamRenderer(model, { backend: "wasm" })).process(input.subarray(0, 2000), out2);
        let max = 0;
        for (let i = 0; i < 2000; i++) max = Math.max(max, Math.abs(out2[i]! - out[i]!));
        expect(max, JSON.stringify(activation)).toBeLessThan(1e-5);
      }
    }
    // Gated: the conv and mixin double their outputs; build a consistent random model.
    const j = tinyJson();
    const layers = (j.config as { layers: Record<string, unknown>[] }).layers;
    for (const l of layers) l.gated = true;
    let count = 0;
    for (const l of layers as {
      channels: number;
      kernel_size: number;
      dilations: number[];
      input_size: number;
      head_size: number;
      head_bias: boolean;
    }[]) {
      const C = l.channels;
      count += C * l.input_size;
      count += l.dilations.length * (2 * C * C * l.kernel_size + 2 * C + 2 * C + C * C + C);
      count += l.head_size * C + (l.head_bias ? l.head_size : 0);
    }
    j.weights = Array.from({ length: count + 1 }, (_, i) => Math.sin(i * 12.9898) * 0.3);
    const gated = parseNamModel(j);
    const a = createJsNamRenderer(gated);
    const out = new Float32Array(3000);
    a.process(input.subarray(0, 3000), out);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(Math.max(...out) - Math.min(...out)).toBeGreaterThan(0);
    if (namWasmAvailable) {
      const w = await createNamRenderer(gated, { backend: "wasm" });
      const out2 = new Float32Array(3000);
      w.process(input.subarray(0, 3000), out2);
      let max = 0;
      for (let i = 0; i < 3000; i++) max = Math.max(max, Math.abs(out2[i]! - out[i]!));
      expect(max).toBeLessThan(1e-5);
    }
  });
});

describe("streaming", () => {
  const cases = [
    ["wavenet", "js"],
    ["dumble", "js"],
    ["lstm", "js"],
    ...(namWasmAvailable
      ? [
          ["wavenet", "wasm"],
          ["wavenet_a1_standard", "wasm"],
          ["dumble", "wasm"],
          ["lstm", "wasm"],
          ["lstm_3x18_synthetic", "wasm"],
        ]
      : []),
  ] as [string, "js" | "wasm"][];
  it.each(cases)(
    "%s (%s): chunked render (odd chunk sizes) equals one-shot exactly",
    async (name, backend) => {
      const model = parseNamModel(readModelBytes(name));
      const n = backend === "js" ? 3_000 : 9_000;
      const x = input.subarray(20_000, 20_000 + n);
      const one = new Float32Array(n);
      (await createNamRenderer(model, { backend })).process(x, one);
      const r = await createNamRenderer(model, { backend });
      expect(r.backend).toBe(backend);
      const parts = new Float32Array(n);
      let off = 0;
      for (const size of [1, 3, 63, 64, 65, 127, 255, 257, 7]) {
        r.process(x.subarray(off, off + size), parts.subarray(off, off + size));
        off += size;
      }
      r.process(x.subarray(off), parts.subarray(off));
      expect(Array.from(parts)).toEqual(Array.from(one));
      // reset() returns to the initial state.
      r.reset();
      const again = new Float32Array(n);
      r.process(x, again);
      expect(Array.from(again)).toEqual(Array.from(one));
    },
  );

  it.each(["js", "wasm"] as const)(
    "keeps memory fixed (%s): a long render does not grow with its length",
    async (backend) => {
      if (backend === "wasm" && !namWasmAvailable) return;
      const model = parseNamModel(readModelBytes("wavenet"));
      const r = await createNamRenderer(model, { backend });
      const chunk = new Float32Array(4096);
      r.process(input.subarray(0, 4096), chunk);
      const before = process.memoryUsage().arrayBuffers;
      const iterations = backend === "js" ? 60 : 400; // 5 s / 34 s of audio, through the history rewinds
      for (let i = 0; i < iterations; i++) r.process(input.subarray(0, 4096), chunk);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1_000_000);
      expect(chunk.every(Number.isFinite)).toBe(true);
    },
  );

  it("renderNam reports progress per chunk and stops on abort", async () => {
    const model = parseNamModel(readModelBytes("lstm"));
    const progress: number[] = [];
    const out = await renderNam(model, input.subarray(0, 100_000), {
      chunkSize: 30_000,
      onProgress: (f) => progress.push(f),
    });
    expect(out.length).toBe(100_000);
    expect(progress).toEqual([0.3, 0.6, 0.9, 1]);
    const controller = new AbortController();
    const seen: number[] = [];
    const p = renderNam(model, input, {
      chunkSize: 10_000,
      signal: controller.signal,
      onProgress: (f) => {
        seen.push(f);
        if (seen.length === 2) controller.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: "ABORTED" });
    expect(seen.length).toBe(2);
    const already = AbortSignal.abort();
    await expect(renderNam(model, input, { signal: already })).rejects.toBeInstanceOf(AudioError);
  });
});
