import { describe, expect, it } from "vitest";
import { AudioError, parseNamModel } from "../src/index.ts";
import type { LstmModel, WaveNetModel } from "../src/nam/model.ts";
import { readModelBytes } from "./helpers/reference.ts";

/** Loading the newer files: versions, and malformed files refused with the field named. */

// biome-ignore lint/suspicious/noExplicitAny: the fixtures are real files edited freely, field by field
type Json = Record<string, any>;
const json = (name: string): Json => JSON.parse(new TextDecoder().decode(readModelBytes(name))) as Json;

function refusal(fn: () => unknown): AudioError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AudioError);
    return e as AudioError;
  }
  throw new Error("expected the file to be refused");
}

describe(".nam versions", () => {
  it("reads 0.5.x to 0.7.0 and refuses newer files with the version named", () => {
    for (const v of ["0.5.0", "0.5.4", "0.6.0", "0.7.0"]) {
      const j = json("wavenet");
      j.version = v;
      expect(parseNamModel(j).version).toBe(v);
    }
    for (const v of ["0.7.1", "0.8.0", "1.0.0"]) {
      const j = json("A2");
      j.version = v;
      const e = refusal(() => parseNamModel(j));
      expect(e.code).toBe("UNSUPPORTED_VERSION");
      expect(e.message).toBe(`made by a newer NAM (version ${v}); this build reads up to 0.7.0`);
    }
    // A nested model is checked too (NAM Core loads each submodel with get_dsp).
    const nested = json("A2");
    nested.config.submodels[0].model.version = "0.9.0";
    expect(refusal(() => parseNamModel(nested)).message).toMatch(/newer NAM \(version 0\.9\.0\)/);
    const old = json("wavenet");
    old.version = "0.4.2";
    expect(refusal(() => parseNamModel(old)).code).toBe("UNSUPPORTED_VERSION");
    const junk = json("wavenet");
    junk.version = "latest";
    expect(refusal(() => parseNamModel(junk)).message).toMatch(/version: "latest" is not a version/);
  });
});

describe("malformed newer files are refused with what is wrong", () => {
  it("wrong weight count, in a submodel", () => {
    const j = json("A2");
    j.config.submodels[1].model.weights.pop();
    const e = refusal(() => parseNamModel(j));
    expect(e.code).toBe("INVALID_NAM");
    expect(e.message).toBe(
      "config.submodels[1].model: WaveNet config needs 12146 weights, the file has 12145",
    );
    const c = json("convnet_synthetic");
    c.weights.push(0.5);
    expect(refusal(() => parseNamModel(c)).message).toMatch(
      /ConvNet config needs 1024 weights, the file has 1025/,
    );
    const l = json("linear_synthetic");
    l.weights.pop();
    expect(refusal(() => parseNamModel(l)).message).toMatch(
      /Linear config needs 193 weights, the file has 192/,
    );
  });

  it("unknown activation, named where it sits", () => {
    const j = json("A2");
    j.config.submodels[0].model.config.layers[0].activation[3] = { type: "Mish" };
    const e = refusal(() => parseNamModel(j));
    expect(e.code).toBe("UNSUPPORTED_ACTIVATION");
    expect(e.message).toBe(
      'config.submodels[0].model.config.layers[0].activation[3]: unsupported activation "Mish"',
    );
    const sec = json("wavenet_a2_max");
    sec.config.condition_dsp.config.layers[1].secondary_activation[2] = "Swoosh";
    expect(refusal(() => parseNamModel(sec)).message).toMatch(
      /config\.condition_dsp\.config\.layers\[1\]\.secondary_activation\[2\]: unsupported activation "Swoosh"/,
    );
    const c = json("convnet_synthetic");
    c.config.activation = "Gelu";
    expect(refusal(() => parseNamModel(c)).message).toMatch(
      /config\.activation: unsupported activation "Gelu"/,
    );
  });

  it("bad FiLM config", () => {
    const groups = json("wavenet_a2_max");
    groups.config.layers[0].conv_pre_film.groups = 3; // condition 8 is not divisible by 3
    const e = refusal(() => parseNamModel(groups));
    expect(e.code).toBe("INVALID_NAM");
    expect(e.message).toMatch(/config\.layers\[0\]\.conv_pre_film: groups \(3\) must divide/);
    const shape = json("wavenet_a2_max");
    shape.config.layers[0].activation_post_film = { active: true, shift: "yes" };
    expect(refusal(() => parseNamModel(shape)).message).toMatch(/config\.layers\[0\]\.activation_post_film/);
    const orphan = json("wavenet_a2_max");
    orphan.config.layers[0].head1x1.active = false;
    expect(refusal(() => parseNamModel(orphan)).message).toMatch(
      /config\.layers\[0\]\.head1x1_post_film: head1x1_post_film cannot be active when head1x1 is not/,
    );
    // A FiLM switched on where the file has no weights for it is a weight-count mismatch.
    const extra = json("wavenet_condition_dsp");
    extra.config.layers[0].conv_pre_film = { active: true, shift: true };
    expect(refusal(() => parseNamModel(extra)).message).toMatch(/needs \d+ weights, the file has 147/);
  });

  it("a container without submodels, or with unusable ones", () => {
    const empty = json("A2");
    empty.config.submodels = [];
    expect(refusal(() => parseNamModel(empty)).message).toMatch(
      /config\.submodels: a SlimmableContainer needs at least one submodel/,
    );
    const none = json("A2");
    delete none.config.submodels;
    expect(refusal(() => parseNamModel(none)).message).toMatch(/config\.submodels/);
    const unsorted = json("slimmable_container");
    unsorted.config.submodels[1].max_value = 0.2;
    expect(refusal(() => parseNamModel(unsorted)).message).toMatch(
      /config\.submodels\[1\]\.max_value: submodels must be sorted by ascending max_value/,
    );
    const short = json("A2");
    short.config.submodels[1].max_value = 0.9;
    expect(refusal(() => parseNamModel(short)).message).toMatch(/max_value must be >= 1/);
    const noModel = json("A2");
    delete noModel.config.submodels[0].model;
    expect(refusal(() => parseNamModel(noModel)).message).toMatch(/config\.submodels\[0\]\.model/);
    const rate = json("A2");
    rate.config.submodels[0].model.sample_rate = 44_100;
    expect(refusal(() => parseNamModel(rate)).message).toMatch(/sample rate 44100 differs/);
  });

  it("NaN (or non-number) weights, nested too", () => {
    const j = json("A2");
    j.config.submodels[0].model.weights[17] = Number.NaN;
    const e = refusal(() => parseNamModel(j));
    expect(e.code).toBe("INVALID_NAM");
    expect(e.message).toMatch(/config\.submodels\[0\]\.model\.weights\[17\]: .*NaN/);
    const text = new TextDecoder()
      .decode(readModelBytes("linear_synthetic"))
      .replace('"weights": [', '"weights": [NaN, ');
    expect(refusal(() => parseNamModel(text)).message).toMatch(/not valid JSON/);
    const s = json("convnet_synthetic");
    s.weights[3] = "0.1";
    expect(refusal(() => parseNamModel(s)).message).toMatch(/weights\[3\]/);
  });

  it("inconsistent WaveNet configs", () => {
    const both = json("slimmable_wavenet");
    both.config.layers[0].kernel_sizes = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    expect(refusal(() => parseNamModel(both)).message).toMatch(/kernel_size or kernel_sizes, not both/);
    const len = json("A2");
    len.config.submodels[0].model.config.layers[0].kernel_sizes.pop();
    expect(refusal(() => parseNamModel(len)).message).toMatch(
      /layers\[0\]\.kernel_sizes: kernel_sizes has 22 entries but there are 23 layers/,
    );
    const gating = json("wavenet_a2_max");
    gating.config.condition_dsp.config.layers[1].gating_mode = ["gated", "gated"];
    expect(refusal(() => parseNamModel(gating)).message).toMatch(
      /gating_mode has 2 entries but there are 3 layers/,
    );
    const mode = json("wavenet_a2_max");
    mode.config.layers[0].gating_mode = "gatted";
    expect(refusal(() => parseNamModel(mode)).message).toMatch(/config\.layers\[0\]\.gating_mode/);
    const prelu = json("wavenet_a2_max");
    prelu.config.condition_dsp.config.layers[1].activation[0].negative_slopes = [0.1, 0.2, 0.3];
    expect(refusal(() => parseNamModel(prelu)).message).toMatch(/PReLU has 3 negative_slopes for 2 channels/);
    const cond = json("wavenet_a2_max");
    cond.config.layers[0].condition_size = 4;
    expect(refusal(() => parseNamModel(cond)).message).toMatch(
      /config\.layers\[0\]\.condition_size: must equal the condition DSP's outputs \(8\)/,
    );
    const slim = json("slimmable_wavenet");
    slim.config.layers[0].slimmable.kwargs.allowed_channels = [1, 2];
    expect(refusal(() => parseNamModel(slim)).message).toMatch(
      /allowed_channels: the last entry must be the full channel count \(3\)/,
    );
    const method = json("slimmable_wavenet");
    method.config.layers[0].slimmable.method = "prune_magic";
    expect(refusal(() => parseNamModel(method)).code).toBe("UNSUPPORTED_ARCHITECTURE");
    const noL1 = json("wavenet_a2_max");
    noL1.config.layers[0].layer1x1.active = false;
    expect(refusal(() => parseNamModel(noL1)).message).toMatch(
      /layer1x1_post_film cannot be active when layer1x1 is not|bottleneck .* must equal channels/,
    );
  });
});

describe("features no reference file exercises", () => {
  it("a post-stack head and an LSTM condition DSP load, render, stream exactly, and are described", async () => {
    const { createJsNamRenderer, createNamRenderer, namModelInfo, namWasmAvailable, namWasmCovers } =
      await import("../src/index.ts");
    const { assemble, wasmRelaxedSimdSupported } = await import("../src/nam/wasm/compile.ts");
    const { planGeneralWaveNetWasm } = await import("../src/nam/wasm/general-wavenet-wasm.ts");
    const { instantiateWaveNetWasm } = await import("../src/nam/wasm/wavenet-wasm.ts");
    const { planLstmWasm } = await import("../src/nam/wasm/lstm-wasm.ts");
    // Post-stack head on the tiny WaveNet: head_size 1 -> 2 channels (kernel 3) -> 1 (kernel 2).
    const j = json("wavenet");
    const base = j.weights.slice(0, -1) as number[];
    j.config.head = { channels: 2, out_channels: 1, kernel_sizes: [3, 2], activation: "Tanh" };
    const headWeights = 1 * 2 * 3 + 2 + 2 * 1 * 2 + 1;
    j.weights = [...base, ...Array.from({ length: headWeights }, (_, i) => Math.sin(i + 1) * 0.5), 0.02];
    const model = parseNamModel(j);
    expect(model.architecture === "WaveNet" && model.postHead?.convs.length).toBe(2);
    expect(namModelInfo(model).receptiveField).toBe(23 + 2 + 1);
    const x = new Float32Array(3000).map((_, i) => Math.sin(i / 7) * 0.3);
    const r = createJsNamRenderer(model);
    const once = new Float32Array(x.length);
    r.process(x, once);
    r.reset();
    const parts = new Float32Array(x.length);
    r.process(x.subarray(0, 1001), parts.subarray(0, 1001));
    r.process(x.subarray(1001), parts.subarray(1001));
    expect(parts).toEqual(once);
    expect(once.every(Number.isFinite)).toBe(true);
    // The configurable-WaveNet SIMD kernel has the post-stack head: = TS, chunked = one-shot.
    if (namWasmAvailable) {
      expect(namWasmCovers(model)).toBe(true);
      expect(once.reduce((p, v) => Math.max(p, Math.abs(v)), 0)).toBeGreaterThan(1e-3);
      for (const relaxed of wasmRelaxedSimdSupported ? [true, false] : [false]) {
        const plan = planGeneralWaveNetWasm(model as WaveNetModel, { relaxed });
        const w = instantiateWaveNetWasm(
          { sampleRate: model.sampleRate, receptiveField: (model as WaveNetModel).prewarm },
          { plan, module: await assemble(plan.wat) },
        );
        const wo = new Float32Array(x.length);
        w.process(x, wo);
        let max = 0;
        for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(wo[i]! - once[i]!));
        expect(max).toBeLessThan(2e-6);
        w.reset();
        const wp = new Float32Array(x.length);
        for (let off = 0; off < x.length; off += 333)
          w.process(x.subarray(off, off + 333), wp.subarray(off, off + 333));
        expect(wp).toEqual(wo);
      }
      expect((await createNamRenderer(model)).backend).toBe("wasm");
    }
    j.weights.splice(3, 1);
    expect(refusal(() => parseNamModel(j)).message).toMatch(/WaveNet config needs \d+ weights/);

    // An LSTM as the condition DSP: recurrent, so no finite receptive field.
    const c = json("wavenet_condition_dsp");
    c.config.condition_dsp = json("lstm");
    for (const l of c.config.layers) l.condition_size = 1;
    c.weights = c.weights.slice(0, 131);
    const cm = parseNamModel(c);
    expect(namModelInfo(cm).receptiveField).toBeNull();
    const out = new Float32Array(x.length);
    createJsNamRenderer(cm).process(x, out);
    expect(out.every(Number.isFinite)).toBe(true);
    // The LSTM runs through its own kernel, feeding the WaveNet kernel's condition: = TS, chunked = one-shot.
    if (namWasmAvailable) {
      expect(namWasmCovers(cm)).toBe(true);
      expect(out.reduce((p, v) => Math.max(p, Math.abs(v)), 0)).toBeGreaterThan(1e-3);
      const cw = cm as WaveNetModel;
      for (const relaxed of wasmRelaxedSimdSupported ? [true, false] : [false]) {
        const plan = planGeneralWaveNetWasm(cw, { relaxed });
        const lstm = planLstmWasm(cw.conditionDsp as LstmModel, { relaxed });
        const w = instantiateWaveNetWasm(
          { sampleRate: cw.sampleRate, receptiveField: cw.prewarm },
          {
            plan,
            module: await assemble(plan.wat),
            condition: { kind: "LSTM", plan: lstm, module: await assemble(lstm.wat) },
          },
        );
        const wo = new Float32Array(x.length);
        w.process(x, wo);
        let max = 0;
        for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(wo[i]! - out[i]!));
        expect(max).toBeLessThan(2e-6);
        w.reset();
        const wp = new Float32Array(x.length);
        for (let off = 0; off < x.length; off += 77)
          w.process(x.subarray(off, off + 77), wp.subarray(off, off + 77));
        expect(wp).toEqual(wo);
      }
      expect((await createNamRenderer(cm)).backend).toBe("wasm");
    }
    // A Linear as the condition DSP has no SIMD path yet: "wasm" is refused, "auto" renders in TS.
    c.config.condition_dsp = json("linear_synthetic");
    const lm = parseNamModel(c);
    expect(namWasmCovers(lm)).toBe(false);
    await expect(createNamRenderer(lm, { backend: "wasm" })).rejects.toThrow(/no WebAssembly kernel/);
    expect((await createNamRenderer(lm)).backend).toBe("js");
  });
});
