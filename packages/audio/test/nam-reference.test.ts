import { describe, expect, it } from "vitest";
import { createNamRenderer, namWasmAvailable, parseNamModel, renderNam } from "../src/index.ts";
import { diffStats, readF32, readModelBytes, referenceModels } from "./helpers/reference.ts";

const input = readF32("input/di_raid_10s_48k.f32");
const TOL_MAX = 1e-4;
const TOL_RMS = 1e-5;

async function render(name: string, n: number, opts: { fastTanh?: boolean; backend?: "js" | "wasm" }) {
  const model = parseNamModel(readModelBytes(name));
  const r = await createNamRenderer(model, opts);
  expect(r.backend).toBe(opts.backend);
  const out = new Float32Array(n);
  r.process(input.subarray(0, n), out);
  return out;
}

describe("NAM against NeuralAmpModelerCore reference outputs (pure TS backend)", () => {
  it.each([
    ["lstm", "exact", 480_000],
    ["lstm", "fasttanh", 480_000],
    // The pure-TS WaveNet is slow: compare the first 0.2 s (includes the prewarm-sensitive start).
    ["wavenet_a1_standard", "exact", 9_600],
    ["wavenet_a1_standard", "fasttanh", 9_600],
  ] as const)("%s %s", async (name, mode, n) => {
    const out = await render(name, n, { fastTanh: mode === "fasttanh", backend: "js" });
    const ref = readF32(`output/${name}.di_raid_10s_48k.${mode}.f32`);
    const { max, rms } = diffStats(out, ref, n);
    expect(max).toBeLessThanOrEqual(TOL_MAX);
    expect(rms).toBeLessThanOrEqual(TOL_RMS);
  });

  it("exact and fast tanh are distinguishable (the tolerance can catch the wrong mode)", async () => {
    const ref = readF32("output/lstm.di_raid_10s_48k.exact.f32");
    const out = await render("lstm", 48_000, { fastTanh: true, backend: "js" });
    expect(diffStats(out, ref, 48_000).max).toBeGreaterThan(TOL_MAX);
  });
});

describe.runIf(namWasmAvailable)("NAM against the reference (WebAssembly SIMD backend)", () => {
  it.each([
    // The full 10 s once for the standard model, as the reference README recommends.
    ["wavenet_a1_standard", "exact", 480_000],
    ["wavenet_a1_standard", "fasttanh", 48_000],
    ["lstm", "exact", 480_000],
    ["lstm", "fasttanh", 480_000],
  ] as const)("%s %s", async (name, mode, n) => {
    const out = await render(name, n, { fastTanh: mode === "fasttanh", backend: "wasm" });
    const ref = readF32(`output/${name}.di_raid_10s_48k.${mode}.f32`);
    expect(out.length).toBe(n);
    const { max, rms } = diffStats(out, ref, n);
    expect(max).toBeLessThanOrEqual(TOL_MAX);
    expect(rms).toBeLessThanOrEqual(TOL_RMS);
  });

  it.each(["wavenet", "dumble", "lstm_3x18_synthetic"])(
    "%s: WebAssembly equals the pure-TS renderer",
    async (name) => {
      const n = 4_000;
      const a = await render(name, n, { backend: "wasm" });
      const b = await render(name, n, { backend: "js" });
      const { max } = diffStats(a, b, n);
      expect(max).toBeLessThan(2e-5);
    },
  );
});

describe("every reference model loads and renders", () => {
  it.each(referenceModels)("%s", async (name) => {
    const model = parseNamModel(readModelBytes(name));
    const n = 4_800;
    const out = await renderNam(model, input.subarray(0, n));
    expect(out.length).toBe(n);
    expect(out.every(Number.isFinite)).toBe(true);
    // A model that renders silence or a constant would be broken.
    let min = Infinity;
    let max = -Infinity;
    for (const v of out) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(max - min).toBeGreaterThan(1e-4);
  });
});
