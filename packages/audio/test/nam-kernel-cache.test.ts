import { describe, expect, it } from "vitest";
import { createJsNamRenderer, createNamRenderer, namWasmAvailable, parseNamModel } from "../src/index.ts";
import { contentKey } from "../src/nam/content-key.ts";
import { plannedKernelCount } from "../src/nam/renderer.ts";
import { readModelBytes } from "./helpers/reference.ts";

/**
 * Compiled kernels are shared by model content: a job that parses its own copy of a file reuses
 * the kernel another job compiled, and renders the same samples with it.
 */
describe.skipIf(!namWasmAvailable)("kernel cache", () => {
  const input = Float32Array.from({ length: 4096 }, (_, i) => 0.3 * Math.sin(i / 7));

  it("compiles once per model content and tanh mode, across separately parsed copies", async () => {
    const bytes = readModelBytes("dumble");
    const first = await createNamRenderer(parseNamModel(bytes));
    const after = plannedKernelCount();
    const again = await createNamRenderer(parseNamModel(bytes));
    expect(plannedKernelCount()).toBe(after);
    const a = new Float32Array(input.length);
    const b = new Float32Array(input.length);
    first.process(input, a);
    again.process(input, b);
    expect(b).toEqual(a);
    // The other tanh mode is a different kernel.
    await createNamRenderer(parseNamModel(bytes), { fastTanh: true });
    expect(plannedKernelCount()).toBe(after + 1);
  });

  it("gives a model with other weights its own plan (same architecture: the module is shared)", async () => {
    const json = JSON.parse(new TextDecoder().decode(readModelBytes("lstm"))) as { weights: number[] };
    const base = parseNamModel(json);
    const changed = structuredClone(json);
    changed.weights[0] = changed.weights[0]! + 0.5;
    const other = parseNamModel(changed);
    expect(contentKey(other)).not.toBe(contentKey(base));
    const r1 = await createNamRenderer(base);
    const r2 = await createNamRenderer(other);
    const a = new Float32Array(input.length);
    const b = new Float32Array(input.length);
    r1.process(input, a);
    r2.process(input, b);
    expect(b).not.toEqual(a);
  });

  it("an LSTM renderer that starts from the cached prewarm state renders as the first did, also after reset", async () => {
    const bytes = readModelBytes("lstm_3x18_synthetic");
    const first = await createNamRenderer(parseNamModel(bytes));
    const a = new Float32Array(input.length);
    first.process(input, a);
    const second = await createNamRenderer(parseNamModel(bytes));
    const b = new Float32Array(input.length);
    second.process(input, b);
    expect(b).toEqual(a);
    second.reset();
    second.process(input, b);
    expect(b).toEqual(a);
    // Against the pure-TS renderer, which always runs the prewarm itself.
    const js = createJsNamRenderer(parseNamModel(bytes));
    const c = new Float32Array(input.length);
    js.process(input, c);
    for (let i = 0; i < input.length; i++) expect(Math.abs(b[i]! - c[i]!)).toBeLessThan(1e-5);
  });

  it("content keys follow every field, typed arrays by value", () => {
    const m = { a: 1, w: Float32Array.of(1, 2), nested: [{ x: "y" }] };
    expect(contentKey(m)).toBe(contentKey({ nested: [{ x: "y" }], w: Float32Array.of(1, 2), a: 1 }));
    expect(contentKey(m)).not.toBe(contentKey({ ...m, w: Float32Array.of(1, 3) }));
    expect(contentKey(m)).not.toBe(contentKey({ ...m, w: Float64Array.of(1, 2) }));
    expect(contentKey(m)).not.toBe(contentKey({ ...m, a: "1" }));
    expect(contentKey(m)).not.toBe(contentKey({ ...m, nested: [{ x: "z" }] }));
  });
});
