import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { parseNamModel, slimNamModel } from "../src/index.ts";
import type { Activation } from "../src/nam/activations.ts";
import type { NamModel } from "../src/nam/model.ts";
import { assembleWat } from "../src/nam/wasm/assemble-wat.ts";
import { planConvNetWasm } from "../src/nam/wasm/convnet-wasm.ts";
import { planLinearWasm } from "../src/nam/wasm/linear-wasm.ts";
import { planLstmWasm } from "../src/nam/wasm/lstm-wasm.ts";
import { activationInPlace, Madd, SCRATCH_LOCALS } from "../src/nam/wasm/simd-math.ts";
import { planWaveNetWasm } from "../src/nam/wasm/wavenet-wasm.ts";
import { readModelBytes, referenceModels } from "./helpers/reference.ts";

/**
 * Our WAT assembler (which replaced wabt at run time) against wabt itself: the same bytes for the
 * kernel of every reference model that has one, at every size, both tanh modes, relaxed and plain
 * SIMD, and for every lane-uniform activation; and it refuses what it does not know.
 */

const wabt = await wabtInit();
function wabtBytes(wat: string): Uint8Array {
  const mod = wabt.parseWat("kernel.wat", wat, { simd: true, relaxed_simd: true, bulk_memory: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

function kernelWat(m: NamModel, relaxed: boolean, fastTanh: boolean): string | null {
  if (m.architecture === "WaveNet" && m.plain) return planWaveNetWasm(m.plain, { relaxed, fastTanh }).wat;
  if (m.architecture === "LSTM") return planLstmWasm(m, { relaxed, fastTanh }).wat;
  if (m.architecture === "ConvNet" && m.activation.kind !== "prelu")
    return planConvNetWasm(m, { relaxed, fastTanh }).wat;
  if (m.architecture === "Linear") return planLinearWasm(m, { relaxed }).wat;
  return null;
}

describe("assembleWat", () => {
  let kernels = 0;
  for (const name of referenceModels) {
    it(`assembles ${name}'s kernels byte for byte as wabt does`, () => {
      const file = parseNamModel(readModelBytes(name));
      for (const slim of [0, 1])
        for (const relaxed of [false, true])
          for (const fastTanh of [false, true]) {
            const wat = kernelWat(slimNamModel(file, slim), relaxed, fastTanh);
            if (wat === null) continue;
            kernels++;
            expect(Buffer.from(assembleWat(wat)).equals(Buffer.from(wabtBytes(wat)))).toBe(true);
          }
    });
  }
  it("covered kernels of every kind", () => {
    expect(kernels).toBeGreaterThan(40);
  });

  it("assembles every lane-uniform activation as wabt does", () => {
    const acts: Activation[] = [
      { kind: "tanh" },
      { kind: "fasttanh" },
      { kind: "sigmoid" },
      { kind: "relu" },
      { kind: "leakyrelu", slope: 0.01 },
      { kind: "hardtanh" },
      { kind: "leakyhardtanh", minVal: -1, maxVal: 1, minSlope: 0.01, maxSlope: 0.02 },
      { kind: "silu" },
      { kind: "hardswish" },
      { kind: "softsign" },
    ];
    for (const relaxed of [false, true]) {
      const m = new Madd(relaxed);
      const body = acts.flatMap((a) => activationInPlace(a, "$v", m));
      const wat = `(module (memory (export "memory") 1) (func (export "f") (param $p i32) (result i32)
        (local $v v128) ${SCRATCH_LOCALS.map((l) => `(local ${l} v128)`).join(" ")}
        (local.set $v (v128.load offset=16 (local.get $p)))
        ${body.join("\n")}
        (v128.store offset=32 (local.get $p) (local.get $v))
        (i32.add (local.get $p) (i32.const -7))))`;
      expect(Buffer.from(assembleWat(wat)).equals(Buffer.from(wabtBytes(wat)))).toBe(true);
    }
  });

  it("refuses what it does not know, naming it", () => {
    const fn = (body: string) => `(module (func (export "f") (local $x i32) ${body}))`;
    expect(() => assembleWat(fn("(local.set $x (i64.const 1))"))).toThrow(/"i64.const" is not supported/);
    expect(() => assembleWat(fn("(local.set $y (i32.const 1))"))).toThrow(/unknown local \$y/);
    expect(() => assembleWat(fn("(block $a (br_if $b (i32.const 1)))"))).toThrow(/unknown label \$b/);
    expect(() => assembleWat(fn("(local.set $x (i32.const 1)"))).toThrow(/unbalanced|end of the module/);
    expect(() => assembleWat(fn("local.get $x drop"))).toThrow(/unfolded/);
    expect(() => assembleWat(`(module (global $g i32 (i32.const 0)))`)).toThrow(/"global" is not supported/);
  });
});
