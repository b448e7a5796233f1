import { describe, expect, it } from "vitest";
import {
  createJsNamRenderer,
  createNamRenderer,
  namModelInfo,
  namModelInfoSchema,
  namSizeBreakpoints,
  namWasmAvailable,
  namWasmCovers,
  parseNamModel,
  renderNam,
  slimNamModel,
} from "../src/index.ts";
import { diffStats, readF32, readModelBytes } from "./helpers/reference.ts";

/**
 * The architectures beyond A1 and LSTM against NAM Core's own outputs (nam-reference, "Newer
 * architectures"): limits max |diff| <= 1e-4 * max(1, ref peak), RMS <= 1e-5 * max(1, ref RMS).
 */

const input = readF32("input/di_raid_10s_48k.f32");

function limits(ref: Float32Array, n: number) {
  let peak = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    peak = Math.max(peak, Math.abs(ref[i]!));
    ss += ref[i]! ** 2;
  }
  return { max: 1e-4 * Math.max(1, peak), rms: 1e-5 * Math.max(1, Math.sqrt(ss / n)) };
}

const refName = (name: string, slim?: number) =>
  `output/${name}${slim === 0 ? ".slim0" : ""}.di_raid_10s_48k.exact.f32`;

// [model, --slim (undefined = NAM Core's default, full size), samples compared]
const CASES = [
  ["linear_synthetic", undefined, 480_000],
  ["convnet_synthetic", undefined, 480_000],
  ["wavenet_condition_dsp", undefined, 480_000],
  // The slower ones in pure TS: 2 s each here; the full 10 s runs on the WebAssembly path below
  // where it has a kernel, and every file was checked at full length for the README.
  ["wavenet_a2_max", undefined, 96_000],
  ["slimmable_wavenet", undefined, 480_000],
  ["slimmable_wavenet", 0, 480_000],
  ["slimmable_container", undefined, 480_000],
  ["slimmable_container", 0, 480_000],
  ["A2", 0, 96_000],
  ["A2", undefined, 96_000],
] as const;

describe("newer architectures against NeuralAmpModelerCore (pure TS)", () => {
  it.each(CASES)("%s slim=%s", (name, slim, n) => {
    const model = parseNamModel(readModelBytes(name));
    const r = createJsNamRenderer(model, { slim });
    expect(r.backend).toBe("js");
    const out = new Float32Array(n);
    r.process(input.subarray(0, n), out);
    const ref = readF32(refName(name, slim));
    const d = diffStats(out, ref, n);
    const lim = limits(ref, n);
    expect(d.max, `max |diff| ${d.max}`).toBeLessThanOrEqual(lim.max);
    expect(d.rms, `rms ${d.rms}`).toBeLessThanOrEqual(lim.rms);
  });

  it("the sizes are really different renders (the slim value is not ignored)", () => {
    for (const name of ["A2", "slimmable_wavenet", "slimmable_container"]) {
      const n = 9_600;
      const full = readF32(refName(name));
      const small = readF32(refName(name, 0));
      const out = new Float32Array(n);
      createJsNamRenderer(parseNamModel(readModelBytes(name)), { slim: 0 }).process(
        input.subarray(0, n),
        out,
      );
      expect(diffStats(out, small, n).max).toBeLessThan(1e-4 * 20);
      expect(diffStats(out, full, n).max, name).toBeGreaterThan(1e-3);
    }
  });

  it("the general WaveNet renders A1 files like the A1 renderer and NAM Core", () => {
    for (const [name, n] of [
      ["wavenet", 48_000],
      ["dumble", 9_600],
    ] as const) {
      const model = parseNamModel(readModelBytes(name));
      const general = new Float32Array(n);
      createJsNamRenderer(model, { general: true }).process(input.subarray(0, n), general);
      const a1 = new Float32Array(n);
      createJsNamRenderer(model).process(input.subarray(0, n), a1);
      expect(diffStats(general, a1, n).max, name).toBeLessThan(2e-5);
    }
    const std = parseNamModel(readModelBytes("wavenet_a1_standard"));
    const out = new Float32Array(9_600);
    createJsNamRenderer(std, { general: true }).process(input.subarray(0, 9_600), out);
    const d = diffStats(out, readF32("output/wavenet_a1_standard.di_raid_10s_48k.exact.f32"), 9_600);
    expect(d.max).toBeLessThanOrEqual(1e-4);
    expect(d.rms).toBeLessThanOrEqual(1e-5);
  });
});

// Every reference model has a generated WebAssembly SIMD kernel: plain WaveNets (A1, the WaveNets
// of A2, a plain WaveNet as condition DSP), the configurable WaveNet (FiLM, head1x1, bottleneck,
// blended gating, groups, PReLU, a WaveNet condition DSP: wavenet_a2_max), ConvNet and Linear.
// A post-stack head and a non-WaveNet condition DSP render in TS (nam-load.test.ts).
const WASM_CASES = [
  ["wavenet_condition_dsp", undefined],
  ["wavenet_a2_max", undefined],
  ["convnet_synthetic", undefined],
  ["linear_synthetic", undefined],
  ["A2", undefined],
  ["A2", 0],
  ["slimmable_wavenet", undefined],
  ["slimmable_wavenet", 0],
  ["slimmable_container", undefined],
  ["slimmable_container", 0],
] as const;

describe.runIf(namWasmAvailable)(
  "newer architectures against NeuralAmpModelerCore (WebAssembly SIMD)",
  () => {
    it.each(WASM_CASES)("%s slim=%s, full 10 s", async (name, slim) => {
      const model = parseNamModel(readModelBytes(name));
      const r = await createNamRenderer(model, { slim, backend: "wasm" });
      expect(r.backend).toBe("wasm");
      const n = input.length;
      const out = new Float32Array(n);
      r.process(input, out);
      const ref = readF32(refName(name, slim));
      const d = diffStats(out, ref, n);
      const lim = limits(ref, n);
      expect(d.max, `max |diff| ${d.max}`).toBeLessThanOrEqual(lim.max);
      expect(d.rms, `rms ${d.rms}`).toBeLessThanOrEqual(lim.rms);
    });

    it.each(["convnet_synthetic", "linear_synthetic", "wavenet_condition_dsp", "wavenet_a2_max"])(
      "%s: WebAssembly equals the pure-TS renderer, chunked equals one-shot",
      async (name) => {
        const model = parseNamModel(readModelBytes(name));
        const n = 20_000;
        const x = input.subarray(70_000, 70_000 + n);
        const w = await createNamRenderer(model, { backend: "wasm" });
        const once = new Float32Array(n);
        w.process(x, once);
        const ts = new Float32Array(n);
        createJsNamRenderer(model).process(x, ts);
        // float32 sums in another order: a few ulp of the output's scale (wavenet_a2_max peaks near 10)
        const peak = ts.reduce((p, v) => Math.max(p, Math.abs(v)), 0);
        expect(diffStats(once, ts, n).max).toBeLessThan(2e-6 * Math.max(1, peak));
        w.reset();
        const chunked = new Float32Array(n);
        for (let off = 0, i = 0; off < n; i++) {
          const len = Math.min([3, 64, 65, 4097, 1][i % 5]!, n - off);
          w.process(x.subarray(off, off + len), chunked.subarray(off, off + len));
          off += len;
        }
        expect(chunked).toEqual(once);
      },
    );

    it("A2 sizes: WebAssembly equals the pure-TS renderer, chunked equals one-shot", async () => {
      const a2 = parseNamModel(readModelBytes("A2"));
      for (const slim of [0, 1]) {
        const n = 20_000;
        const x = input.subarray(50_000, 50_000 + n);
        const w = await createNamRenderer(a2, { slim, backend: "wasm" });
        const once = new Float32Array(n);
        w.process(x, once);
        const ts = new Float32Array(n);
        createJsNamRenderer(a2, { slim }).process(x, ts);
        expect(diffStats(once, ts, n).max).toBeLessThan(2e-6);
        w.reset();
        const chunked = new Float32Array(n);
        for (let off = 0, i = 0; off < n; i++) {
          const len = Math.min([1, 5, 64, 100, 4099][i % 5]!, n - off);
          w.process(x.subarray(off, off + len), chunked.subarray(off, off + len));
          off += len;
        }
        expect(chunked).toEqual(once);
      }
    });

    it("says which models have a kernel; asking for wasm where there is none is refused, auto falls back", async () => {
      expect(namWasmCovers(parseNamModel(readModelBytes("A2")))).toBe(true);
      expect(namWasmCovers(parseNamModel(readModelBytes("slimmable_container")), 0)).toBe(true); // its LSTM
      expect(namWasmCovers(parseNamModel(readModelBytes("convnet_synthetic")))).toBe(true);
      expect(namWasmCovers(parseNamModel(readModelBytes("linear_synthetic")))).toBe(true);
      for (const name of ["wavenet_a2_max", "wavenet_condition_dsp"]) {
        const model = parseNamModel(readModelBytes(name));
        expect(namWasmCovers(model)).toBe(true);
        expect((await createNamRenderer(model)).backend).toBe("wasm");
        expect((await createNamRenderer(model, { backend: "js" })).backend).toBe("js");
      }
    });
  },
);

describe("sizes", () => {
  it("lists NAM Core's size breakpoints and picks a size by value like SetSlimmableSize", () => {
    const a2 = parseNamModel(readModelBytes("A2"));
    expect(namSizeBreakpoints(a2)).toEqual([0.5]);
    const container = parseNamModel(readModelBytes("slimmable_container"));
    expect(namSizeBreakpoints(container)).toEqual([0.33, 0.66]);
    expect(slimNamModel(container, 0).architecture).toBe("LSTM");
    expect(slimNamModel(container, 0.329).architecture).toBe("LSTM");
    expect(slimNamModel(container, 0.33).architecture).toBe("WaveNet");
    expect(slimNamModel(container, 1)).toBe(slimNamModel(container));
    const sw = parseNamModel(readModelBytes("slimmable_wavenet"));
    expect(namSizeBreakpoints(sw)).toEqual([1 / 3, 2 / 3]);
    const channels = (v: number) => {
      const m = slimNamModel(sw, v);
      if (m.architecture !== "WaveNet") throw new Error("expected a WaveNet");
      return m.layerArrays[0]!.channels;
    };
    expect([0, 0.3, 1 / 3, 0.5, 2 / 3, 0.99, 1].map(channels)).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(slimNamModel(sw, 1)).toBe(sw);
    expect(namSizeBreakpoints(parseNamModel(readModelBytes("wavenet")))).toEqual([]);
    expect(() => slimNamModel(sw, 1.5)).toThrow(/from 0 to 1/);
  });

  it("model info says what a model is, for the tone card", () => {
    const info = namModelInfoSchema.parse(namModelInfo(parseNamModel(readModelBytes("A2"))));
    expect(info).toMatchObject({
      architecture: "SlimmableContainer",
      family: "A2",
      version: "0.7.0",
      sampleRate: 48_000,
      receptiveField: 6347,
      breakpoints: [0.5],
    });
    expect(info.sizes.map((s) => [s.label, s.receptiveField, s.prewarmSamples])).toEqual([
      ["WaveNet 3 ch", 6347, 6400],
      ["WaveNet 8 ch", 6347, 6400],
    ]);
    // The two WaveNets' weight counts as stored in the file (+0 at the container level).
    expect(info.sizes.map((s) => s.parameters)).toEqual([1871, 12146]);
    const a1 = namModelInfo(parseNamModel(readModelBytes("wavenet_a1_standard")));
    expect(a1).toMatchObject({ family: "A1", receptiveField: 4093, sampleRateAssumed: true });
    expect(a1.sizes).toHaveLength(1);
    const lstmSizes = namModelInfo(parseNamModel(readModelBytes("slimmable_container"))).sizes;
    expect(lstmSizes[0]).toMatchObject({
      architecture: "LSTM",
      receptiveField: null,
      prewarmSamples: 24_000,
    });
    expect(namModelInfo(parseNamModel(readModelBytes("convnet_synthetic"))).receptiveField).toBe(128);
    expect(namModelInfo(parseNamModel(readModelBytes("linear_synthetic"))).receptiveField).toBe(192);
  });
});

describe("streaming", () => {
  const models = [
    ["linear_synthetic", undefined],
    ["convnet_synthetic", undefined],
    ["wavenet_condition_dsp", undefined],
    ["wavenet_a2_max", undefined],
    ["slimmable_wavenet", 0],
    ["slimmable_container", 0.5],
    ["A2", 0],
  ] as const;
  it.each(models)("%s (slim %s): chunked render equals one-shot exactly, reset starts over", (name, slim) => {
    const model = parseNamModel(readModelBytes(name));
    const n = 12_000;
    const x = input.subarray(20_000, 20_000 + n);
    const r = createJsNamRenderer(model, { slim });
    const once = new Float32Array(n);
    r.process(x, once);
    r.reset();
    const chunked = new Float32Array(n);
    const sizes = [1, 7, 64, 63, 65, 333, 2048, 5000];
    let off = 0;
    for (let i = 0; off < n; i++) {
      const len = Math.min(sizes[i % sizes.length]!, n - off);
      r.process(x.subarray(off, off + len), chunked.subarray(off, off + len));
      off += len;
    }
    expect(chunked).toEqual(once);
    // A fresh renderer gives the same samples: reset() is the same prewarmed state.
    const fresh = new Float32Array(n);
    createJsNamRenderer(model, { slim }).process(x, fresh);
    expect(fresh).toEqual(once);
  });

  it("keeps memory fixed: a long render through A2 (smallest) and ConvNet leaves the state size unchanged", () => {
    for (const [name, slim] of [
      ["A2", 0],
      ["convnet_synthetic", undefined],
    ] as const) {
      const r = createJsNamRenderer(parseNamModel(readModelBytes(name)), { slim });
      const before = r.memoryBytes;
      // 3 s, past every history buffer's wrap-around (2048 + lookback frames) many times.
      const x = input.subarray(100_000, 244_000);
      const out = new Float32Array(x.length);
      r.process(x, out);
      expect(r.memoryBytes).toBe(before);
      expect(out.every(Number.isFinite)).toBe(true);
      expect(before).toBeLessThan(4 * 2 ** 20);
    }
  });

  it("renderNam and createNamRenderer take the size too; backend auto falls back to TS where no kernel exists", async () => {
    const a2 = parseNamModel(readModelBytes("A2"));
    const n = 4_800;
    const viaRender = await renderNam(a2, input.subarray(0, n), { slim: 0, chunkSize: 1000 });
    const ref = readF32(refName("A2", 0));
    expect(diffStats(viaRender, ref, n).max).toBeLessThan(1e-4);
    const r = await createNamRenderer(parseNamModel(readModelBytes("wavenet_a2_max")), { backend: "js" });
    expect(r.backend).toBe("js");
  });
});
