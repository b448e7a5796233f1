/**
 * NAM inference speed: x-realtime on one core (seconds of audio per CPU second, measured with
 * process.cpuUsage around process() only) for every reference model on a 60 s input (the 10 s DI
 * looped), beside NeuralAmpModelerCore's figures from nam-reference/README.md (it gives none for
 * the newer architectures). A slimmable model is listed at full size and at its smallest
 * ("A2@0" = --slim 0).
 *
 *   pnpm bench:nam [--backend auto|wasm|js] [--fast-tanh] [--seconds 60] [--models A2,A2@0,lstm]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createNamRenderer, namWasmCovers, parseNamModel, slimNamModel } from "../src/index.ts";
import { referenceDir } from "../test/helpers/reference.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "auto" },
    "fast-tanh": { type: "boolean", default: false },
    seconds: { type: "string", default: "60" },
    models: { type: "string" },
  },
});
const backend = values.backend as "auto" | "wasm" | "js";
const fastTanh = values["fast-tanh"];
const seconds = Number(values.seconds);

// NAM Core, one core: [portable exact tanh, portable fast tanh, AVX2/FMA exact tanh].
const CORE: Record<string, [number, number, number]> = {
  wavenet_a1_standard: [12.4, 13.3, 28.0],
  jcm: [14.0, 15.4, 32.5],
  dumble: [33.7, 37.8, 39.4],
  wavenet: [192, 201, 226],
  lstm: [148, 270, 145],
  lstm_3x18_synthetic: [25.0, 36.5, 43.1],
};
const NEWER = [
  "A2",
  "A2@0",
  "convnet_synthetic",
  "linear_synthetic",
  "wavenet_a2_max",
  "slimmable_wavenet@0",
];
const names = values.models ? values.models.split(",") : [...Object.keys(CORE), ...NEWER];

const fmt = (v: number, width: number, digits: number, unit = "") =>
  Number.isFinite(v)
    ? `${v.toFixed(digits).padStart(width)}${unit}`
    : `${"-".padStart(width)}${unit ? " " : ""}`;

const raw = readFileSync(path.join(referenceDir, "input/di_raid_10s_48k.f32"));
const di = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const n = Math.round(seconds * 48_000);
const input = new Float32Array(n);
for (let i = 0; i < n; i += di.length) input.set(di.subarray(0, Math.min(di.length, n - i)), i);
const output = new Float32Array(n);

console.log(
  `NAM inference, ${seconds} s input, backend=${backend}, ${fastTanh ? "fast" : "exact"} tanh, node ${process.version}`,
);
console.log(
  "model                 arch      backend  load ms  state MB  x-realtime   NAM Core portable   ratio   NAM Core AVX2   ratio",
);
for (const entry of names) {
  const [name, slimText] = entry.split("@") as [string, string | undefined];
  const slim = slimText === undefined ? 1 : Number(slimText);
  const core = CORE[entry];
  const file = parseNamModel(readFileSync(path.join(referenceDir, "models", `${name}.nam`)));
  const model = slimNamModel(file, slim);
  const t0 = performance.now();
  // "auto" where this model has no WebAssembly kernel yet (the row then says "js").
  const renderer = await createNamRenderer(model, {
    backend: backend === "wasm" && !namWasmCovers(model) ? "auto" : backend,
    fastTanh,
  });
  const loadMs = performance.now() - t0;
  // Warm-up (JIT / wasm tier-up), then reset to a clean state.
  renderer.process(input.subarray(0, 48_000), output.subarray(0, 48_000));
  renderer.reset();
  const c0 = process.cpuUsage();
  for (let off = 0; off < n; off += 48_000) {
    renderer.process(
      input.subarray(off, Math.min(n, off + 48_000)),
      output.subarray(off, Math.min(n, off + 48_000)),
    );
  }
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const xrt = seconds / cpu;
  const ref = core ? (fastTanh ? core[1] : core[0]) : Number.NaN;
  const avx = core ? core[2] : Number.NaN;
  console.log(
    `${entry.padEnd(22)}${model.architecture.padEnd(10)}${renderer.backend.padEnd(9)}${loadMs.toFixed(0).padStart(7)}` +
      `${(renderer.memoryBytes / 2 ** 20).toFixed(1).padStart(10)}` +
      `${xrt.toFixed(1).padStart(12)}x${fmt(ref, 18, 1, "x")}${fmt(xrt / ref, 8, 2)}` +
      `${fmt(avx, 15, 1, "x")}${fmt(xrt / avx, 8, 2)}`,
  );
}
const peak = process.resourceUsage().maxRSS / 1024;
console.log(
  `peak RSS ${peak.toFixed(0)} MB for the whole process (Node itself ~45 MB, wabt, every model above, the ${seconds} s` +
    " buffers); NAM Core's render process peaks at ~27 MB. 'state MB' is what one renderer holds, whatever the length.",
);
