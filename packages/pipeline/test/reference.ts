import { readFileSync } from "node:fs";
import path from "node:path";
import { prepareInput, trimSilence } from "@shootout/audio";
import { CHAIN_SAMPLE_RATE, normalizeIrEnergy, renderToneChain } from "../src/index.ts";
import { CATALOG } from "./harness.ts";

/** The bundled models the tests pick, by Tone 3000 ids (tone, model) and file. */
export const MODELS = {
  tinyWaveNet: { toneId: "104", modelId: "1005", file: "models/wavenet.nam" },
  lstm: { toneId: "101", modelId: "1002", file: "models/lstm.nam" },
  feather: { toneId: "102", modelId: "1003", file: "models/dumble.nam" },
  standard: { toneId: "101", modelId: "1001", file: "models/wavenet_a1_standard.nam" },
  a1Example: { toneId: "109", modelId: "1011", file: "models/wavenet_a1_standard.nam" },
  a2: { toneId: "109", modelId: "1012", file: "models/a2_nam_core_example.nam" },
} as const;

export const IR_FILE = path.join(CATALOG, "irs/synthetic_4x12_closed.wav");

/** The stand-in's real cabinet IRs (tone 110), by Tone 3000 model id; eminence is 44.1 kHz. */
export const TONE3000_IRS = {
  ampeg: { toneId: "110", modelId: "1014", file: "irs/ampeg.wav", name: "Ampeg cab IR" },
  celestion: { toneId: "110", modelId: "1015", file: "irs/celestion.wav", name: "Celestion cab IR" },
  eminence: { toneId: "110", modelId: "1016", file: "irs/eminence.wav", name: "Eminence cab IR (44.1 kHz)" },
  mesa: { toneId: "110", modelId: "1017", file: "irs/mesa.wav", name: "Mesa cab IR" },
} as const;

/** The DI as the pipeline prepares it (decode, mono, 48 kHz, trimmed), computed independently here. */
export async function referenceDi(bytes: Uint8Array): Promise<Float32Array> {
  const prepared = await prepareInput(bytes, { targetRate: CHAIN_SAMPLE_RATE });
  return trimSilence(prepared.samples, CHAIN_SAMPLE_RATE).samples;
}

export async function referenceIr(file: string = IR_FILE): Promise<Float32Array> {
  const prepared = await prepareInput(readFileSync(path.resolve(CATALOG, file)), {
    targetRate: CHAIN_SAMPLE_RATE,
  });
  return normalizeIrEnergy(prepared.samples).samples;
}

/** One tone rendered alone, in this thread, by the chain function the pipeline's threads run. */
export async function referenceTone(
  di: Float32Array,
  tone: {
    file: string | null;
    highpass: boolean;
    effects: string[];
    ir: Float32Array | null;
    slim?: number | null;
  },
  targetLufs: number | null,
): Promise<Float32Array> {
  const amp = tone.file
    ? { namText: readFileSync(path.join(CATALOG, tone.file), "utf8"), slim: tone.slim ?? null }
    : null;
  const result = await renderToneChain(di, {
    amp,
    highpass: tone.highpass,
    ir: tone.ir,
    effects: tone.effects,
    targetLufs,
  });
  return result.samples;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
