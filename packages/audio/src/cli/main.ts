#!/usr/bin/env node
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { AudioError } from "../errors.ts";

// Each command imports what it uses when it runs: a one-shot render should not pay for the
// analysis modules (nor `metrics` for the NAM engine).

const USAGE = `usage:
  shootout-audio render --model M.nam --in IN.wav --out OUT.wav [--slim 0..1] [--fast-tanh] [--backend auto|wasm|js]
      render IN (WAV/FLAC/AIFF/MP3, mixed to mono, resampled to the model's rate) through the
      model; writes a mono 32-bit float WAV at the model's sample rate. --slim picks the size of a
      slimmable model (A2 / SlimmableContainer, slimmable WaveNet) like NAM Core's render: 1 (the
      default) is full size, 0 the smallest
  shootout-audio info --model M.nam   print what the model is (architecture, sizes, receptive field) as JSON
  shootout-audio loudness IN.wav      print integrated loudness (LUFS, ITU-R BS.1770-4)
  shootout-audio metrics IN.wav       print level/loudness/spectrum metrics as JSON`;

class UsageError extends Error {}

async function readInput(path: string) {
  const { decodeAudio } = await import("../io/decode.ts");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new AudioError("INVALID_ARGUMENT", `cannot read ${path}`);
  }
  return decodeAudio(bytes);
}

async function render(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      in: { type: "string" },
      out: { type: "string" },
      "fast-tanh": { type: "boolean", default: false },
      backend: { type: "string", default: "auto" },
      slim: { type: "string" },
    },
    strict: true,
  });
  if (!values.model || !values.in || !values.out)
    throw new UsageError("render needs --model, --in and --out");
  let slim = 1;
  if (values.slim !== undefined) {
    slim = Number(values.slim);
    if (values.slim.trim() === "" || !Number.isFinite(slim) || slim < 0 || slim > 1) {
      throw new UsageError("--slim must be a number from 0 to 1");
    }
  }
  const backend = values.backend;
  if (backend !== "auto" && backend !== "wasm" && backend !== "js")
    throw new UsageError("--backend: auto|wasm|js");
  const [{ loadNamModelFile }, { isSlimmable, sizeLabel, slimNamModel }, { renderNam }] = await Promise.all([
    import("../nam/model.ts"),
    import("../nam/slim.ts"),
    import("../nam/renderer.ts"),
  ]);
  const [{ mixToMono }, { resample }, { encodeWav }] = await Promise.all([
    import("../io/prepare.ts"),
    import("../io/resample.ts"),
    import("../io/wav.ts"),
  ]);
  const model = await loadNamModelFile(values.model);
  if (values.slim !== undefined && !isSlimmable(model)) {
    throw new UsageError(`--slim needs a slimmable model; this ${model.architecture} has one size`);
  }
  const decoded = await readInput(values.in);
  if (decoded.channels.length > 1) console.error(`note: ${decoded.channels.length} channels summed to mono`);
  let samples = mixToMono(decoded.channels);
  if (decoded.sampleRate !== model.sampleRate) {
    console.error(`note: resampling ${decoded.sampleRate} Hz -> ${model.sampleRate} Hz`);
    samples = await resample(samples, decoded.sampleRate, model.sampleRate);
  }
  const t0 = performance.now();
  const out = await renderNam(model, samples, { fastTanh: values["fast-tanh"], backend, slim });
  const seconds = (performance.now() - t0) / 1000;
  await writeFile(values.out, encodeWav(out, model.sampleRate, "float32"));
  const audio = samples.length / model.sampleRate;
  console.error(
    `rendered ${audio.toFixed(2)} s with ${model.architecture}${isSlimmable(model) ? ` at size ${slim} (${sizeLabel(slimNamModel(model, slim))})` : ""} in ${seconds.toFixed(2)} s (${(audio / seconds).toFixed(1)}x realtime)`,
  );
}

async function info(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { model: { type: "string" } }, strict: true });
  if (!values.model) throw new UsageError("info needs --model");
  const [{ namModelInfo }, { loadNamModelFile }] = await Promise.all([
    import("../nam/info.ts"),
    import("../nam/model.ts"),
  ]);
  console.log(JSON.stringify(namModelInfo(await loadNamModelFile(values.model)), null, 2));
}

async function loudness(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError("loudness needs one input file");
  const { integratedLoudness } = await import("../analysis/loudness.ts");
  const decoded = await readInput(positionals[0]!);
  const lufs = integratedLoudness(decoded.channels, decoded.sampleRate);
  console.log(Number.isFinite(lufs) ? lufs.toFixed(2) : "-inf");
}

async function metrics(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError("metrics needs one input file");
  const [{ integratedLoudness }, { measure, metricsToJson }, { mixToMono }] = await Promise.all([
    import("../analysis/loudness.ts"),
    import("../analysis/metrics.ts"),
    import("../io/prepare.ts"),
  ]);
  const decoded = await readInput(positionals[0]!);
  const m = measure(mixToMono(decoded.channels), decoded.sampleRate);
  // Loudness over the real channels (a stereo file is measured as stereo).
  m.lufs = integratedLoudness(decoded.channels, decoded.sampleRate);
  console.log(JSON.stringify(metricsToJson(m), null, 2));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "render":
        await render(rest);
        return 0;
      case "info":
        await info(rest);
        return 0;
      case "loudness":
        await loudness(rest);
        return 0;
      case "metrics":
        await metrics(rest);
        return 0;
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : "no command given");
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`shootout-audio: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof AudioError) {
      console.error(`shootout-audio: ${error.message} [${error.code}]`);
      return 1;
    }
    console.error(`shootout-audio: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
