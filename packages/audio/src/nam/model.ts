import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { AudioError } from "../errors.ts";
import { type Activation, parseActivation } from "./activations.ts";
import {
  type NamMetadata,
  namFileSchema,
  namLstmConfigSchema,
  namWaveNetConfigSchema,
  type namWaveNetLayerArraySchema,
} from "./schema.ts";

/** NAM treats a missing `sample_rate` as 48 kHz. */
export const NAM_DEFAULT_SAMPLE_RATE = 48_000;

export interface WaveNetLayer {
  dilation: number;
  /** Dilated conv, NAM layout: [out][in][tap] (tap 0 = oldest), length convOut*channels*K. */
  conv: Float32Array;
  convBias: Float32Array;
  /** Input mixin 1x1 (no bias): [out][condition]. */
  mixin: Float32Array;
  /** Residual 1x1: [channels][channels] row-major, plus bias. */
  out1x1: Float32Array;
  out1x1Bias: Float32Array;
}

export interface WaveNetLayerArray {
  inputSize: number;
  conditionSize: number;
  headSize: number;
  channels: number;
  kernelSize: number;
  gated: boolean;
  activation: Activation;
  /** Rechannel 1x1 (no bias): [channels][inputSize]. */
  rechannel: Float32Array;
  layers: WaveNetLayer[];
  /** Head rechannel 1x1: [headSize][channels], bias only if `head_bias`. */
  headRechannel: Float32Array;
  headRechannelBias: Float32Array | null;
}

interface ModelCommon {
  version: string;
  sampleRate: number;
  /** `sample_rate` was absent and 48 kHz was assumed. */
  sampleRateAssumed: boolean;
  metadata: NamMetadata;
  /** metadata.loudness (dB), when the exporter measured it. */
  loudness: number | null;
  weightCount: number;
}

export interface WaveNetModel extends ModelCommon {
  architecture: "WaveNet";
  layerArrays: WaveNetLayerArray[];
  /** NAM Core uses the last weight, not config.head_scale. */
  headScale: number;
  /** 1 + sum of dilation*(K-1): how many past inputs one output depends on. */
  receptiveField: number;
}

export interface LstmLayer {
  inputSize: number;
  /** (4H x (in+H)) row-major, gates i, f, g, o; input columns first. */
  w: Float32Array;
  b: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
}

export interface LstmModel extends ModelCommon {
  architecture: "LSTM";
  inputSize: number;
  hiddenSize: number;
  layers: LstmLayer[];
  headWeight: Float32Array;
  headBias: number;
}

export type NamModel = WaveNetModel | LstmModel;

type LayerArrayConfig = z.infer<typeof namWaveNetLayerArraySchema>;

const A1_LAYER_KEYS = new Set([
  "input_size",
  "condition_size",
  "head_size",
  "channels",
  "kernel_size",
  "dilations",
  "activation",
  "gated",
  "head_bias",
]);

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

class WeightReader {
  private pos = 0;
  private readonly w: readonly number[];
  constructor(w: readonly number[]) {
    this.w = w;
  }
  take(n: number): Float32Array {
    const out = new Float32Array(this.w.slice(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  get position(): number {
    return this.pos;
  }
}

/** Whether a leftover config value is "off" (null/false/empty), so an A1 file carrying it is fine. */
function isOff(v: unknown): boolean {
  return v === null || v === undefined || v === false || (Array.isArray(v) && v.length === 0);
}

function waveNetWeightCount(arrays: LayerArrayConfig[]): number {
  let n = 0;
  for (const a of arrays) {
    const C = a.channels;
    const convOut = a.gated ? 2 * C : C;
    n += C * a.input_size;
    for (let l = 0; l < a.dilations.length; l++) {
      n += convOut * C * a.kernel_size + convOut + convOut * a.condition_size + C * C + C;
    }
    n += a.head_size * C + (a.head_bias ? a.head_size : 0);
  }
  return n + 1; // head_scale
}

function lstmWeightCount(input: number, hidden: number, layers: number): number {
  let n = 0;
  for (let l = 0; l < layers; l++) {
    const inp = l === 0 ? input : hidden;
    n += 4 * hidden * (inp + hidden) + 4 * hidden + 2 * hidden;
  }
  return n + hidden + 1;
}

function buildWaveNet(config: Record<string, unknown>, weights: number[], common: ModelCommon): WaveNetModel {
  // Refuse A2 / extended WaveNet features by name rather than misreading their weights.
  for (const key of ["condition_dsp", "slimmable"]) {
    if (!isOff(config[key])) {
      throw new AudioError("UNSUPPORTED_ARCHITECTURE", `WaveNet with "${key}" (NAM A2) is not supported`);
    }
  }
  if (!isOff(config.head)) {
    throw new AudioError("UNSUPPORTED_ARCHITECTURE", 'WaveNet with a post-stack "head" is not supported');
  }
  const parsed = namWaveNetConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new AudioError("INVALID_NAM", `invalid WaveNet config: ${issuesText(parsed.error)}`);
  }
  const arrays = parsed.data.layers;
  arrays.forEach((a, i) => {
    for (const [key, value] of Object.entries(a)) {
      if (!A1_LAYER_KEYS.has(key) && !isOff(value)) {
        throw new AudioError(
          "UNSUPPORTED_ARCHITECTURE",
          `WaveNet layer array ${i} uses "${key}", an A2 feature that is not supported (A1 WaveNet only)`,
        );
      }
    }
    if (a.condition_size !== 1) {
      throw new AudioError("INVALID_NAM", `layer array ${i}: condition_size must be 1 (the mono input)`);
    }
    if (i === 0 && a.input_size !== 1)
      throw new AudioError("INVALID_NAM", "layer array 0: input_size must be 1");
    if (i > 0) {
      const prev = arrays[i - 1]!;
      if (a.input_size !== prev.channels) {
        throw new AudioError("INVALID_NAM", `layer array ${i}: input_size must equal previous channels`);
      }
      if (a.channels !== prev.head_size) {
        throw new AudioError("INVALID_NAM", `layer array ${i}: channels must equal previous head_size`);
      }
    }
  });
  if (arrays[arrays.length - 1]!.head_size !== 1) {
    throw new AudioError("INVALID_NAM", "last layer array must have head_size 1");
  }
  const expected = waveNetWeightCount(arrays);
  if (weights.length !== expected) {
    throw new AudioError(
      "INVALID_NAM",
      `WaveNet config needs ${expected} weights, the file has ${weights.length}`,
    );
  }
  const r = new WeightReader(weights);
  let receptiveField = 1;
  const layerArrays: WaveNetLayerArray[] = arrays.map((a) => {
    const C = a.channels;
    const K = a.kernel_size;
    const gated = a.gated ?? false;
    const convOut = gated ? 2 * C : C;
    const rechannel = r.take(C * a.input_size);
    const layers: WaveNetLayer[] = a.dilations.map((dilation) => {
      receptiveField += dilation * (K - 1);
      return {
        dilation,
        conv: r.take(convOut * C * K),
        convBias: r.take(convOut),
        mixin: r.take(convOut * a.condition_size),
        out1x1: r.take(C * C),
        out1x1Bias: r.take(C),
      };
    });
    const headRechannel = r.take(a.head_size * C);
    const headRechannelBias = a.head_bias ? r.take(a.head_size) : null;
    return {
      inputSize: a.input_size,
      conditionSize: a.condition_size,
      headSize: a.head_size,
      channels: C,
      kernelSize: K,
      gated,
      activation: parseActivation(a.activation as string | Record<string, unknown>),
      rechannel,
      layers,
      headRechannel,
      headRechannelBias,
    };
  });
  const headScale = r.take(1)[0]!;
  return { ...common, architecture: "WaveNet", layerArrays, headScale, receptiveField };
}

function buildLstm(config: Record<string, unknown>, weights: number[], common: ModelCommon): LstmModel {
  const parsed = namLstmConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new AudioError("INVALID_NAM", `invalid LSTM config: ${issuesText(parsed.error)}`);
  }
  const { input_size: inputSize, hidden_size: H, num_layers: numLayers } = parsed.data;
  if (inputSize !== 1) throw new AudioError("INVALID_NAM", "LSTM input_size must be 1");
  const expected = lstmWeightCount(inputSize, H, numLayers);
  if (weights.length !== expected) {
    throw new AudioError(
      "INVALID_NAM",
      `LSTM config needs ${expected} weights, the file has ${weights.length}`,
    );
  }
  const r = new WeightReader(weights);
  const layers: LstmLayer[] = [];
  for (let l = 0; l < numLayers; l++) {
    const inp = l === 0 ? inputSize : H;
    layers.push({
      inputSize: inp,
      w: r.take(4 * H * (inp + H)),
      b: r.take(4 * H),
      h0: r.take(H),
      c0: r.take(H),
    });
  }
  const headWeight = r.take(H);
  const headBias = r.take(1)[0]!;
  return { ...common, architecture: "LSTM", inputSize, hiddenSize: H, layers, headWeight, headBias };
}

/**
 * Validate and unpack a `.nam` model (JSON text, bytes, or an already-parsed object).
 * Throws AudioError INVALID_NAM (bad JSON, schema, weight count, NaN), UNSUPPORTED_ARCHITECTURE
 * or UNSUPPORTED_ACTIVATION.
 */
export function parseNamModel(source: string | Uint8Array | unknown): NamModel {
  let json: unknown = source;
  if (typeof source === "string" || source instanceof Uint8Array) {
    const text = typeof source === "string" ? source : new TextDecoder().decode(source);
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new AudioError("INVALID_NAM", "the .nam file is not valid JSON", { cause });
    }
  }
  const parsed = namFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new AudioError("INVALID_NAM", `invalid .nam file: ${issuesText(parsed.error)}`);
  }
  const file = parsed.data;
  const loudness = file.metadata?.loudness;
  const common: ModelCommon = {
    version: file.version,
    sampleRate: file.sample_rate ?? NAM_DEFAULT_SAMPLE_RATE,
    sampleRateAssumed: file.sample_rate == null,
    metadata: file.metadata ?? null,
    loudness: typeof loudness === "number" ? loudness : null,
    weightCount: file.weights.length,
  };
  switch (file.architecture) {
    case "WaveNet":
      return buildWaveNet(file.config, file.weights, common);
    case "LSTM":
      return buildLstm(file.config, file.weights, common);
    default:
      throw new AudioError(
        "UNSUPPORTED_ARCHITECTURE",
        `architecture "${file.architecture}" is not supported (supported: WaveNet A1, LSTM)`,
      );
  }
}

export async function loadNamModelFile(path: string): Promise<NamModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new AudioError("INVALID_ARGUMENT", `cannot read model file ${path}`, { cause });
  }
  return parseNamModel(bytes);
}
