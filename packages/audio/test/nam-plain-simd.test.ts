import { describe, expect, it } from "vitest";
import { type NamRenderer, namWasmAvailable, parseNamModel, prewarmOf, slimNamModel } from "../src/index.ts";
import type { WaveNetModel } from "../src/nam/model.ts";
import type { PlainWaveNet } from "../src/nam/plain-wavenet.ts";
import { assemble, wasmRelaxedSimdSupported } from "../src/nam/wasm/compile.ts";
import { planConvNetWasm } from "../src/nam/wasm/convnet-wasm.ts";
import { planGeneralWaveNetWasm } from "../src/nam/wasm/general-wavenet-wasm.ts";
import { instantiateHistoryKernel } from "../src/nam/wasm/history-kernel.ts";
import { planLinearWasm } from "../src/nam/wasm/linear-wasm.ts";
import { instantiateLstmWasm, planLstmWasm } from "../src/nam/wasm/lstm-wasm.ts";
import {
  type CompiledWaveNet,
  instantiateWaveNetWasm,
  planWaveNetWasm,
} from "../src/nam/wasm/wavenet-wasm.ts";
import { diffStats, readF32, readModelBytes } from "./helpers/reference.ts";

/**
 * The plain-SIMD kernels (what a runtime without relaxed SIMD gets: separate multiply and add,
 * saturating truncation) against NAM Core's outputs, full 10 s DI, same limits as the relaxed
 * ones: max |diff| <= 1e-4 * max(1, ref peak), RMS <= 1e-5 * max(1, ref RMS).
 */
const input = readF32("input/di_raid_10s_48k.f32");

function limits(ref: Float32Array) {
  let peak = 0;
  let ss = 0;
  for (const v of ref) {
    peak = Math.max(peak, Math.abs(v));
    ss += v * v;
  }
  return { max: 1e-4 * Math.max(1, peak), rms: 1e-5 * Math.max(1, Math.sqrt(ss / ref.length)) };
}

const CASES: [string, "exact" | "fasttanh"][] = [
  ["wavenet_a1_standard", "exact"],
  ["wavenet_a1_standard", "fasttanh"],
  ["lstm", "exact"],
  ["lstm", "fasttanh"],
  ["A2", "exact"],
  ["convnet_synthetic", "exact"],
  ["linear_synthetic", "exact"],
  ["wavenet_condition_dsp", "exact"],
  ["wavenet_a2_max", "exact"],
];

/** The configurable WaveNet's plain-SIMD kernel and its condition DSP's, recursively. */
async function compileGeneral(
  model: WaveNetModel,
  fastTanh: boolean,
  relaxed = false,
): Promise<CompiledWaveNet> {
  const plan = planGeneralWaveNetWasm(model, { relaxed, fastTanh });
  if (!relaxed) expect(plan.wat).not.toContain("relaxed");
  const module = await assemble(plan.wat);
  const dsp = model.conditionDsp;
  if (dsp?.architecture !== "WaveNet") return { plan, module };
  return { plan, module, condition: await compileGeneral(dsp, fastTanh, relaxed) };
}

/** A WaveNet's plain-SIMD kernel and its condition DSP's, recursively. */
async function compilePlain(model: PlainWaveNet, fastTanh: boolean): Promise<CompiledWaveNet> {
  const plan = planWaveNetWasm(model, { relaxed: false, fastTanh });
  expect(plan.wat).not.toContain("relaxed");
  const module = await assemble(plan.wat);
  if (!model.conditionDsp) return { plan, module };
  return { plan, module, condition: await compilePlain(model.conditionDsp, fastTanh) };
}

describe.skipIf(!namWasmAvailable)("plain-SIMD kernels against NAM Core", () => {
  for (const [name, mode] of CASES) {
    it(`${name} ${mode}`, async () => {
      const fastTanh = mode === "fasttanh";
      const m = slimNamModel(parseNamModel(readModelBytes(name)), 1);
      const opts = { relaxed: false, fastTanh };
      let renderer: NamRenderer;
      if (m.architecture === "WaveNet" && m.plain) {
        renderer = instantiateWaveNetWasm(m.plain, await compilePlain(m.plain, fastTanh));
      } else if (m.architecture === "WaveNet") {
        renderer = instantiateWaveNetWasm(
          { sampleRate: m.sampleRate, receptiveField: m.prewarm },
          await compileGeneral(m, fastTanh),
        );
      } else if (m.architecture === "LSTM") {
        const plan = planLstmWasm(m, opts);
        expect(plan.wat).not.toContain("relaxed");
        renderer = instantiateLstmWasm(m, { plan, module: await assemble(plan.wat) });
      } else if (m.architecture === "ConvNet" || m.architecture === "Linear") {
        const plan = m.architecture === "ConvNet" ? planConvNetWasm(m, opts) : planLinearWasm(m, opts);
        expect(plan.wat).not.toContain("relaxed");
        renderer = instantiateHistoryKernel(
          { plan, module: await assemble(plan.wat) },
          m.sampleRate,
          Math.ceil(prewarmOf(m) / 64) * 64,
        );
      } else throw new Error(`no kernel for ${m.architecture}`);
      const out = new Float32Array(input.length);
      renderer.process(input, out);
      const ref = readF32(`output/${name}.di_raid_10s_48k.${mode}.f32`);
      const d = diffStats(out, ref);
      const lim = limits(ref);
      expect(d.max).toBeLessThanOrEqual(lim.max);
      expect(d.rms).toBeLessThanOrEqual(lim.rms);
    });
  }
});

// The configurable WaveNet's kernel forced on models the plain kernel renders (every optional
// feature off: no head1x1, so the head takes the padded bottleneck lanes masked; a kernel-K head;
// a plain condition DSP), relaxed and plain SIMD, against NAM Core.
const GENERAL_ON_PLAIN: [string, number, string][] = [
  ["A2", 0, "A2.slim0"],
  ["slimmable_wavenet", 1, "slimmable_wavenet"],
  ["wavenet_condition_dsp", 1, "wavenet_condition_dsp"],
];

describe.skipIf(!namWasmAvailable)("the configurable-WaveNet kernel on plain WaveNets", () => {
  for (const [name, slim, ref] of GENERAL_ON_PLAIN) {
    for (const relaxed of wasmRelaxedSimdSupported ? [true, false] : [false]) {
      it(`${name} slim=${slim} relaxed=${relaxed}`, async () => {
        const m = slimNamModel(parseNamModel(readModelBytes(name)), slim);
        if (m.architecture !== "WaveNet") throw new Error("not a WaveNet");
        const renderer = instantiateWaveNetWasm(
          { sampleRate: m.sampleRate, receptiveField: m.prewarm },
          await compileGeneral(m, false, relaxed),
        );
        const out = new Float32Array(input.length);
        renderer.process(input, out);
        const r = readF32(`output/${ref}.di_raid_10s_48k.exact.f32`);
        const d = diffStats(out, r);
        const lim = limits(r);
        expect(d.max).toBeLessThanOrEqual(lim.max);
        expect(d.rms).toBeLessThanOrEqual(lim.rms);
      });
    }
  }
});
