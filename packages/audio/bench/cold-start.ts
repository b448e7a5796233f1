/**
 * Child process of bench/nam.ts: how long a fresh process takes from importing the audio package
 * to the first output sample of a model (parse, kernel generation and compile, prewarm, one
 * 64-sample block). Prints one JSON line.
 *
 *   node packages/audio/bench/cold-start.ts MODEL.nam [slim] [fast]
 */
const t0 = performance.now();
const audio = await import("../src/index.ts");
const t1 = performance.now();
const { readFileSync } = await import("node:fs");
const [file, slimText, fast] = process.argv.slice(2);
const model = audio.parseNamModel(readFileSync(file!));
const renderer = await audio.createNamRenderer(model, {
  slim: slimText === undefined ? 1 : Number(slimText),
  fastTanh: fast === "fast",
});
const out = new Float32Array(64);
renderer.process(new Float32Array(64), out);
const t2 = performance.now();
console.log(
  JSON.stringify({
    importMs: t1 - t0,
    firstSampleMs: t2 - t0,
    sinceProcessStartMs: t2,
    backend: renderer.backend,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
