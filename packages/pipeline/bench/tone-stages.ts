/**
 * pnpm bench:tone-stages — the per-tone work after NAM, stage by stage, on one real 30 s tone
 * (the reference DI looped through the bundled standard WaveNet and the 4x12 IR, rendered once
 * before the clock). Every stage runs BENCH_REPS times (default 5); the median wall and the median
 * CPU of this thread (process.threadCpuUsage, so other load on the machine shows in wall only)
 * are printed.
 *   BENCH_SECONDS=30 BENCH_REPS=5 node packages/pipeline/bench/tone-stages.ts
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  averagePowerSpectrum,
  Biquad,
  convolve,
  decodeWav,
  highPass,
  integratedLoudness,
  measure,
  parseNamModel,
  renderNam,
  truePeak,
} from "@shootout/audio";
import { encodeAudio } from "../src/encode-audio.ts";
import { guardLoudness } from "../src/loudness-guard.ts";
import { limitPeaksInPlace } from "../src/peak-limiter.ts";
import { CHAIN_SAMPLE_RATE, renderToneChain } from "../src/tone-chain.ts";
import { loopedReferenceTake } from "../test/reference-take.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = path.resolve(here, "../../tone3000/catalog");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const sr = CHAIN_SAMPLE_RATE;

const di = loopedReferenceTake(SECONDS);
const namText = readFileSync(path.join(catalog, "models/wavenet_a1_standard.nam"), "utf8");
const ir = decodeWav(readFileSync(path.join(catalog, "irs/synthetic_4x12_closed.wav"))).channels[0]!;
let e = 0;
for (const v of ir) e += v * v;
const irUnit = ir.subarray(0, Math.min(ir.length, 2 * sr)).map((v) => v / Math.sqrt(e));

const hp = di.slice();
new Biquad(highPass(80, sr)).process(hp);
const amp = await renderNam(parseNamModel(namText), hp, { chunkSize: 12_000 });
const cab = convolve(amp, irUnit);
const final = guardLoudness(cab, sr, -14).samples;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const cpu = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1e6;
};

async function stage(name: string, run: () => unknown): Promise<void> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c = cpu();
    const w = performance.now();
    await run();
    walls.push((performance.now() - w) / 1000);
    cpus.push(cpu() - c);
  }
  console.log(
    `${name.padEnd(34)} ${(median(cpus) * 1000).toFixed(1).padStart(8)} ms cpu ${(median(walls) * 1000).toFixed(1).padStart(8)} ms wall`,
  );
}

console.log(
  `one ${SECONDS} s tone, ${REPS} runs each, medians; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n`,
);
await stage("IR convolution (4x12 IR, 5760 taps)", () => convolve(amp, irUnit));
await stage("integratedLoudness", () => integratedLoudness(cab, sr));
await stage("truePeak", () => truePeak(cab));
await stage("averagePowerSpectrum", () => averagePowerSpectrum(final, sr));
await stage("limitPeaksInPlace (ceiling -1.5 dB)", () =>
  limitPeaksInPlace(
    cab.map((v) => v * 4),
    10 ** (-1.5 / 20),
    sr,
  ),
);
await stage("guardLoudness to -14 LUFS", () => guardLoudness(cab, sr, -14));
await stage("measure", () => measure(final, sr));
await stage("encode FLAC + WAV", () => encodeAudio(final, { flac: true, wav: true }));
await stage("whole chain (NAM included)", () =>
  renderToneChain(di, {
    amp: { namText, slim: null },
    highpass: true,
    ir: irUnit,
    effects: [],
    targetLufs: -14,
  }),
);
