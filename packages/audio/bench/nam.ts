/**
 * NAM inference speed, everything measured in this run:
 *  1. x-realtime per reference model, exact and fast tanh: seconds of audio per CPU second of
 *     process() only (process.cpuUsage), after a warm-up, on the 10 s DI looped to --seconds;
 *     the best of --rounds interleaved rounds (the machine may be shared: best-of is the figure
 *     least disturbed by other load). Run it under `taskset -c N` to hold it to one core.
 *  2. cold start: a fresh process from importing @shootout/audio to the first output sample
 *     (bench/cold-start.ts), best of --rounds.
 *     With NAM_CORE_BENCHMODEL=/path/to/NAM-Core's tools/benchmodel (a build of
 *     github.com/sdatkinson/NeuralAmpModelerCore; nothing of it is in this repository) its
 *     figure is measured in the same rounds, interleaved: benchmodel times process() over 2 s of
 *     zeros in 64-sample blocks (--no-fast-tanh for the exact column).
 *  3. whole process: `shootout-audio render` of the 10 s DI WAV, wall clock from spawn to exit
 *     and the child's peak RSS, best of --rounds. With NAM_CORE_RENDER=/path/to/NAM-Core's
 *     tools/render the same is measured for NAM Core, interleaved with ours.
 * NAM Core figures from nam-reference/README.md (another run, another day) are printed as a
 * separate, labelled table; nothing is divided by them.
 *
 *   pnpm bench:nam [--backend auto|wasm|js] [--seconds 20] [--rounds 3] [--models A2,A2@0,lstm]
 *                  [--only speed,cold,process]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  createNamRenderer,
  type NamRenderer,
  namWasmCovers,
  parseNamModel,
  slimNamModel,
} from "../src/index.ts";
import { referenceDir } from "../test/helpers/reference.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "auto" },
    seconds: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    models: { type: "string" },
    only: { type: "string", default: "speed,cold,process" },
  },
});
const backend = values.backend as "auto" | "wasm" | "js";
const seconds = Number(values.seconds);
const rounds = Math.max(1, Number(values.rounds));
const parts = new Set(values.only.split(","));

const MODELS = [
  "wavenet_a1_standard",
  "jcm",
  "dumble",
  "wavenet",
  "lstm",
  "lstm_3x18_synthetic",
  "A2",
  "A2@0",
  "convnet_synthetic",
  "linear_synthetic",
  "wavenet_a2_max",
  "wavenet_condition_dsp",
  "slimmable_wavenet@0",
];
// From nam-reference/README.md (NAM Core portable / AVX2 builds, another run): shown, never divided by.
const README_CORE: Record<string, [number, number, number]> = {
  wavenet_a1_standard: [12.4, 13.3, 28.0],
  jcm: [14.0, 15.4, 32.5],
  dumble: [33.7, 37.8, 39.4],
  wavenet: [192, 201, 226],
  lstm: [148, 270, 145],
  lstm_3x18_synthetic: [25.0, 36.5, 43.1],
};
const names = values.models ? values.models.split(",") : MODELS;
const modelPath = (name: string) => path.join(referenceDir, "models", `${name}.nam`);
const split = (entry: string) => {
  const [name, slimText] = entry.split("@") as [string, string | undefined];
  return { name, slim: slimText === undefined ? undefined : Number(slimText) };
};
const best = (xs: number[]) => (xs.length ? Math.min(...xs) : Number.NaN);
const fmt = (v: number, width: number, digits = 1, unit = "") =>
  (Number.isFinite(v) ? `${v.toFixed(digits)}${unit}` : "-").padStart(width);

console.log(
  `NAM bench, node ${process.version}, ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} CPUs visible, ` +
    `load average ${os.loadavg()[0]!.toFixed(2)}; best of ${rounds} rounds`,
);

// 1. x-realtime
if (parts.has("speed")) {
  const raw = readFileSync(path.join(referenceDir, "input/di_raid_10s_48k.f32"));
  const di = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const n = Math.round(seconds * 48_000);
  const input = new Float32Array(n);
  for (let i = 0; i < n; i += di.length) input.set(di.subarray(0, Math.min(di.length, n - i)), i);
  const output = new Float32Array(n);

  interface Row {
    entry: string;
    arch: string;
    renderers: Record<"exact" | "fast", NamRenderer>;
    loadMs: number;
    cpu: Record<"exact" | "fast", number[]>;
  }
  const rows: Row[] = [];
  for (const entry of names) {
    const { name, slim } = split(entry);
    const model = slimNamModel(parseNamModel(readFileSync(modelPath(name))), slim ?? 1);
    const b = backend === "wasm" && !namWasmCovers(model) ? "auto" : backend;
    const t0 = performance.now();
    const exact = await createNamRenderer(model, { backend: b, fastTanh: false });
    const loadMs = performance.now() - t0;
    const fast = await createNamRenderer(model, { backend: b, fastTanh: true });
    rows.push({
      entry,
      arch: model.architecture,
      renderers: { exact, fast },
      loadMs,
      cpu: { exact: [], fast: [] },
    });
  }
  const run = (r: NamRenderer) => {
    r.reset();
    const c0 = process.cpuUsage();
    for (let off = 0; off < n; off += 48_000) {
      const end = Math.min(n, off + 48_000);
      r.process(input.subarray(off, end), output.subarray(off, end));
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  // Warm-up (JIT and WebAssembly tier-up), then interleaved rounds.
  for (const row of rows)
    for (const mode of ["exact", "fast"] as const) {
      row.renderers[mode].process(input.subarray(0, 48_000), output.subarray(0, 48_000));
    }
  const benchmodel = process.env.NAM_CORE_BENCHMODEL;
  if (benchmodel && !existsSync(benchmodel))
    throw new Error(`NAM_CORE_BENCHMODEL=${benchmodel} does not exist`);
  const coreMs: Record<string, Record<"exact" | "fast", number[]>> = {};
  const runCore = (entry: string, mode: "exact" | "fast") => {
    const { name, slim } = split(entry);
    const args = [
      ...(slim === undefined ? [] : ["--slim", String(slim)]),
      ...(mode === "exact" ? ["--no-fast-tanh"] : []),
      modelPath(name),
    ];
    const child = spawnSync(benchmodel!, args, { encoding: "utf8" });
    // It prints the time twice, whole ms then fractional ms: the last "<x>ms" line.
    const ms = [...child.stdout.matchAll(/^([\d.]+)ms$/gm)].pop();
    if (child.status !== 0 || !ms) throw new Error(`benchmodel ${args.join(" ")} failed: ${child.stderr}`);
    return Number(ms[1]);
  };
  for (let round = 0; round < rounds; round++)
    for (const row of rows)
      for (const mode of ["exact", "fast"] as const) {
        row.cpu[mode].push(run(row.renderers[mode]));
        if (benchmodel) {
          coreMs[row.entry] ??= { exact: [], fast: [] };
          coreMs[row.entry]![mode].push(runCore(row.entry, mode));
        }
      }

  console.log(`\nx-realtime (audio s per CPU s of process()), ${seconds} s input, backend ${backend}`);
  console.log(
    "model                 arch                backend  first ms  state MB  exact tanh   fast tanh" +
      (benchmodel ? "   NAM Core exact    fast   ours/Core exact    fast" : ""),
  );
  for (const row of rows) {
    const ours = { exact: seconds / best(row.cpu.exact), fast: seconds / best(row.cpu.fast) };
    const core = coreMs[row.entry];
    const coreX = core ? { exact: 2000 / best(core.exact), fast: 2000 / best(core.fast) } : null;
    console.log(
      `${row.entry.padEnd(22)}${row.arch.padEnd(20)}${row.renderers.exact.backend.padEnd(9)}${fmt(row.loadMs, 8, 0)}` +
        `${fmt(row.renderers.exact.memoryBytes / 2 ** 20, 10)}${fmt(ours.exact, 11, 1, "x")}${fmt(ours.fast, 12, 1, "x")}` +
        (coreX
          ? `${fmt(coreX.exact, 16, 1, "x")}${fmt(coreX.fast, 8, 1, "x")}` +
            `${fmt(ours.exact / coreX.exact, 18, 2)}${fmt(ours.fast / coreX.fast, 8, 2)}`
          : ""),
    );
  }
  if (benchmodel) console.log(`(NAM Core: ${benchmodel}, in the same interleaved rounds, 2 s of zeros.)`);
  console.log("('first ms' = createNamRenderer in this warm process: kernel generation, compile, prewarm.)");
}

// 2. cold start
if (parts.has("cold")) {
  console.log("\ncold start: fresh process, import @shootout/audio -> first output sample (exact tanh)");
  console.log("model                 backend   import ms  first sample ms  since process start ms");
  const coldScript = path.join(import.meta.dirname, "cold-start.ts");
  const results = new Map<string, { backend: string; imp: number[]; first: number[]; start: number[] }>();
  for (let round = 0; round < rounds; round++)
    for (const entry of names) {
      const { name, slim } = split(entry);
      const args = [coldScript, modelPath(name), ...(slim === undefined ? [] : [String(slim)])];
      const child = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (child.status !== 0) throw new Error(`cold start of ${entry} failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
        importMs: number;
        firstSampleMs: number;
        sinceProcessStartMs: number;
        backend: string;
      };
      const acc = results.get(entry) ?? { backend: r.backend, imp: [], first: [], start: [] };
      acc.imp.push(r.importMs);
      acc.first.push(r.firstSampleMs);
      acc.start.push(r.sinceProcessStartMs);
      results.set(entry, acc);
    }
  for (const [entry, r] of results) {
    console.log(
      `${entry.padEnd(22)}${r.backend.padEnd(8)}${fmt(best(r.imp), 11, 0)}${fmt(best(r.first), 17, 0)}${fmt(best(r.start), 24, 0)}`,
    );
  }
}

// 3. whole process
if (parts.has("process")) {
  const core = process.env.NAM_CORE_RENDER;
  if (core && !existsSync(core)) throw new Error(`NAM_CORE_RENDER=${core} does not exist`);
  const timeBin = ["/usr/bin/time"].find((p) => existsSync(p));
  const cli = path.join(import.meta.dirname, "../src/cli/main.ts");
  const diWav = path.join(referenceDir, "input/di_raid_10s_48k.wav");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "bench-nam-"));
  // The child reports its own peak RSS at exit (a preloaded one-liner; the CLI stays as it is).
  const rssHook = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss-kb "+process.resourceUsage().maxRSS+"\\n"))`;
  const timed = (cmd: string, args: string[], viaTime: boolean) => {
    const full = viaTime && timeBin ? [timeBin, ["-f", "\nmaxrss-kb %M", cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const child = spawnSync(full[0] as string, full[1] as string[], { encoding: "utf8" });
    const ms = performance.now() - t0;
    if (child.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${child.stderr}`);
    const rss = /maxrss-kb (\d+)/.exec(child.stderr);
    return { ms, rssMB: rss ? Number(rss[1]) / 1024 : Number.NaN };
  };
  const results = new Map<string, { ours: number[]; oursRss: number[]; core: number[]; coreRss: number[] }>();
  try {
    for (let round = 0; round < rounds; round++)
      for (const entry of names) {
        const { name, slim } = split(entry);
        const slimArgs = slim === undefined ? [] : ["--slim", String(slim)];
        const acc = results.get(entry) ?? { ours: [], oursRss: [], core: [], coreRss: [] };
        const out = path.join(tmp, "out.wav");
        const ours = timed(
          process.execPath,
          [
            "--import",
            rssHook,
            cli,
            "render",
            "--model",
            modelPath(name),
            "--in",
            diWav,
            "--out",
            out,
            ...slimArgs,
          ],
          false,
        );
        acc.ours.push(ours.ms);
        acc.oursRss.push(ours.rssMB);
        if (core) {
          const c = timed(core, [...slimArgs, modelPath(name), diWav, out], true);
          acc.core.push(c.ms);
          acc.coreRss.push(c.rssMB);
        }
        results.set(entry, acc);
      }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log("\nwhole process: `shootout-audio render` of the 10 s DI WAV (exact tanh), spawn to exit");
  console.log(
    `model                 ours ms  peak RSS MB${core ? "   NAM Core render ms  peak RSS MB   (NAM_CORE_RENDER, this run)" : ""}`,
  );
  for (const [entry, r] of results) {
    console.log(
      `${entry.padEnd(22)}${fmt(best(r.ours), 7, 0)}${fmt(best(r.oursRss), 13, 0)}` +
        (core ? `${fmt(best(r.core), 21, 0)}${fmt(best(r.coreRss), 13, 0)}` : ""),
    );
  }
  if (!core)
    console.log(
      "(set NAM_CORE_RENDER=/path/to/NeuralAmpModelerCore/build/tools/render to time NAM Core beside it)",
    );
}

console.log(`\npeak RSS of this bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
const shown = names.filter((e) => README_CORE[e]);
if (shown.length) {
  console.log(
    "\nNOT measured here: NAM Core figures copied from nam-reference/README.md (another machine state, another day),\n" +
      "x-realtime of process(), one core: portable exact / portable fast tanh / -march=native exact",
  );
  for (const e of shown) {
    const [p, f, a] = README_CORE[e]!;
    console.log(`  ${e.padEnd(22)}${fmt(p, 7, 1, "x")}${fmt(f, 8, 1, "x")}${fmt(a, 8, 1, "x")}`);
  }
}
