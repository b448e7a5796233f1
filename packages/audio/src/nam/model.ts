import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AudioError } from "../errors.ts";
import { type Activation, parseActivation } from "./activations.ts";
import { type Conv1DWeights, invalidNam, readConv1D, WeightReader } from "./layers.ts";
import { asPlainWaveNet, type PlainWaveNet } from "./plain-wavenet.ts";
import { type NamMetadata, namFileSchema, namLstmConfigSchema } from "./schema.ts";
import { checkNamFileVersion } from "./version.ts";
import { issuesText, parseWaveNetSpec, type WaveNetSpec } from "./wavenet-spec.ts";
import { readWaveNetWeights, type WaveNetWeights, waveNetOwnReceptiveField } from "./wavenet-weights.ts";

export type { PlainWaveNet } from "./plain-wavenet.ts";
export type { WaveNetLayer, WaveNetLayerArray, WaveNetPostHead } from "./wavenet-weights.ts";

/** NAM treats a missing `sample_rate` as 48 kHz. */
export const NAM_DEFAULT_SAMPLE_RATE = 48_000;

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

/** A WaveNet as NAM Core builds it: A1, the configurable 0.6/0.7 WaveNet, or a slimmed one. */
export interface WaveNetModel extends ModelCommon, WaveNetWeights {
  architecture: "WaveNet";
  /** A nested model whose output is the condition of every layer (else the input itself). */
  conditionDsp: NamModel | null;
  /** How many past inputs one output depends on (including the condition DSP's). */
  receptiveField: number;
  /** NAM Core's prewarm: the condition DSP's (or 1) + what every array and the head look back. */
  prewarm: number;
  outChannels: number;
  /** Channel slimming (`slimmable` layer arrays), when the file has it; the model itself is full size. */
  slimmable: SlimmableWaveNet | null;
  /** The same model in the plain (A1 / A2 WaveNet) shape the specialised kernels take, when it has it. */
  plain: PlainWaveNet | null;
}

export interface SlimmableWaveNet {
  /** Per layer array: the channel counts it can be cut to, or null if it is not slimmable. */
  allowedChannels: (number[] | null)[];
  spec: WaveNetSpec;
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

export interface ConvNetBlock {
  /** Kernel 2, dilated; bias only without batchnorm. */
  conv: Conv1DWeights;
  /** Batchnorm folded as NAM Core does: y = x * scale + loc (float32). */
  batchnorm: { scale: Float32Array; loc: Float32Array } | null;
}

export interface ConvNetModel extends ModelCommon {
  architecture: "ConvNet";
  channels: number;
  activation: Activation;
  blocks: ConvNetBlock[];
  /** channels -> 1, with bias. */
  headWeight: Float32Array;
  headBias: number;
  receptiveField: number;
}

export interface LinearModel extends ModelCommon {
  architecture: "Linear";
  /** y[n] = bias + sum_k impulse[k] x[n-k]. */
  impulse: Float32Array;
  bias: number;
  receptiveField: number;
}

export interface SlimmableContainerModel extends ModelCommon {
  architecture: "SlimmableContainer";
  /** Ascending max_value; a size value v picks the first with v < max_value, else the last. */
  submodels: { maxValue: number; model: NamModel }[];
}

export type NamModel = WaveNetModel | LstmModel | ConvNetModel | LinearModel | SlimmableContainerModel;

export const NAM_ARCHITECTURES = ["WaveNet", "LSTM", "ConvNet", "Linear", "SlimmableContainer"] as const;

function checkWeightCount(r: WeightReader, weights: readonly number[], what: string, path: string): void {
  if (r.position !== weights.length) {
    throw invalidNam(path, `${what} config needs ${r.position} weights, the file has ${weights.length}`);
  }
}

function buildWaveNet(
  config: Record<string, unknown>,
  weights: number[],
  common: ModelCommon,
  rawSampleRate: number | null,
  path: string,
): WaveNetModel {
  const at = path ? `${path}.config` : "config";
  const spec = parseWaveNetSpec(config, at);
  let conditionDsp: NamModel | null = null;
  if (config.condition_dsp !== undefined && config.condition_dsp !== null) {
    const cpath = `${at}.condition_dsp`;
    const nested = parseNode(config.condition_dsp, cpath);
    conditionDsp = nested.model;
    if (nested.rawSampleRate !== rawSampleRate) {
      throw invalidNam(
        cpath,
        `its sample rate (${nested.rawSampleRate ?? "none"}) differs from the WaveNet's (${rawSampleRate ?? "none"})`,
      );
    }
  }
  const conditionChannels = conditionDsp ? outputChannels(conditionDsp) : 1;
  spec.arrays.forEach((a, i) => {
    if (a.conditionSize !== conditionChannels) {
      throw invalidNam(
        `${at}.layers[${i}].condition_size`,
        conditionDsp
          ? `must equal the condition DSP's outputs (${conditionChannels})`
          : "must be 1 (the mono input) without a condition_dsp",
      );
    }
  });
  const slimmable = spec.arrays.some((a) => a.allowedChannels !== null);
  if (slimmable) checkSlimmable(spec, at);
  const r = new WeightReader(weights);
  const w = readWaveNetWeights(spec, r, at);
  checkWeightCount(r, weights, "WaveNet", path);
  const own = waveNetOwnReceptiveField(spec);
  const condRf = conditionDsp ? receptiveFieldOf(conditionDsp) : 1;
  const model: WaveNetModel = {
    ...common,
    architecture: "WaveNet",
    ...w,
    conditionDsp,
    receptiveField: own + condRf - 1,
    prewarm: (conditionDsp ? prewarmOf(conditionDsp) : 1) + own - 1,
    outChannels: spec.postHead ? spec.postHead.outChannels : spec.arrays[spec.arrays.length - 1]!.headSize,
    slimmable: slimmable ? { allowedChannels: spec.arrays.map((a) => a.allowedChannels), spec } : null,
    plain: null,
  };
  model.plain = asPlainWaveNet(model);
  return model;
}

/** NAM Core's SlimmableWavenet only slices ungrouped convolutions with a kernel-1 head. */
function checkSlimmable(spec: WaveNetSpec, at: string): void {
  if (spec.postHead) throw invalidNam(`${at}.head`, "a slimmable WaveNet cannot have a post-stack head");
  spec.arrays.forEach((a, i) => {
    const p = `${at}.layers[${i}]`;
    if (a.headKernelSize !== 1) throw invalidNam(`${p}.head.kernel_size`, "must be 1 in a slimmable WaveNet");
    if (a.groupsInput !== 1 || a.groupsInputMixin !== 1 || (a.layer1x1.active && a.layer1x1.groups !== 1)) {
      throw invalidNam(p, "a slimmable WaveNet needs groups 1 everywhere");
    }
    if (a.head1x1.active && a.head1x1.groups !== 1)
      throw invalidNam(`${p}.head1x1.groups`, "must be 1 when slimmable");
  });
}

function buildLstm(
  config: Record<string, unknown>,
  weights: number[],
  common: ModelCommon,
  path: string,
): LstmModel {
  const at = path ? `${path}.config` : "config";
  const parsed = namLstmConfigSchema.safeParse(config);
  if (!parsed.success)
    throw new AudioError("INVALID_NAM", `invalid LSTM config: ${issuesText(parsed.error, at)}`);
  const { input_size: inputSize, hidden_size: H, num_layers: numLayers } = parsed.data;
  if (inputSize !== 1) throw invalidNam(`${at}.input_size`, "LSTM input_size must be 1");
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
  const headBias = r.one();
  checkWeightCount(r, weights, "LSTM", path);
  return { ...common, architecture: "LSTM", inputSize, hiddenSize: H, layers, headWeight, headBias };
}

const convNetConfigSchema = z.looseObject({
  channels: z.number().int().positive(),
  dilations: z.array(z.number().int().positive()).min(1),
  batchnorm: z.boolean(),
  activation: z.union([z.string(), z.looseObject({ type: z.string() })]),
  groups: z.number().int().positive().optional(),
  in_channels: z.number().int().positive().optional(),
  out_channels: z.number().int().positive().optional(),
});

function buildConvNet(
  config: Record<string, unknown>,
  weights: number[],
  common: ModelCommon,
  path: string,
): ConvNetModel {
  const at = path ? `${path}.config` : "config";
  const parsed = convNetConfigSchema.safeParse(config);
  if (!parsed.success)
    throw new AudioError("INVALID_NAM", `invalid ConvNet config: ${issuesText(parsed.error, at)}`);
  const c = parsed.data;
  if ((c.in_channels ?? 1) !== 1 || (c.out_channels ?? 1) !== 1) {
    throw invalidNam(at, "only mono ConvNets (in_channels = out_channels = 1) are supported");
  }
  let activation: Activation;
  try {
    activation = parseActivation(c.activation as string | Record<string, unknown>);
  } catch (e) {
    if (e instanceof AudioError) throw new AudioError(e.code, `${at}.activation: ${e.message}`);
    throw e;
  }
  if (
    activation.kind === "prelu" &&
    activation.slopes.length !== 1 &&
    activation.slopes.length !== c.channels
  ) {
    throw invalidNam(
      `${at}.activation`,
      `PReLU has ${activation.slopes.length} negative_slopes for ${c.channels} channels`,
    );
  }
  const f = Math.fround;
  const r = new WeightReader(weights);
  const blocks: ConvNetBlock[] = c.dilations.map((d, i) => {
    const conv = readConv1D(
      r,
      `${at} block ${i} (groups)`,
      i === 0 ? 1 : c.channels,
      c.channels,
      2,
      d,
      !c.batchnorm,
      c.groups ?? 1,
    );
    if (!c.batchnorm) return { conv, batchnorm: null };
    const C = c.channels;
    const mean = r.take(C);
    const variance = r.take(C);
    const weight = r.take(C);
    const bias = r.take(C);
    const eps = r.one();
    const scale = new Float32Array(C);
    const loc = new Float32Array(C);
    for (let j = 0; j < C; j++) {
      scale[j] = f(weight[j]! / f(Math.sqrt(f(eps + variance[j]!))));
      loc[j] = f(bias[j]! - f(scale[j]! * mean[j]!));
    }
    return { conv, batchnorm: { scale, loc } };
  });
  const headWeight = r.take(c.channels);
  const headBias = r.one();
  checkWeightCount(r, weights, "ConvNet", path);
  const receptiveField = 1 + c.dilations.reduce((s, d) => s + d, 0);
  return {
    ...common,
    architecture: "ConvNet",
    channels: c.channels,
    activation,
    blocks,
    headWeight,
    headBias,
    receptiveField,
  };
}

const linearConfigSchema = z.looseObject({
  receptive_field: z.number().int().positive(),
  bias: z.boolean(),
  in_channels: z.number().int().positive().optional(),
  out_channels: z.number().int().positive().optional(),
});

function buildLinear(
  config: Record<string, unknown>,
  weights: number[],
  common: ModelCommon,
  path: string,
): LinearModel {
  const at = path ? `${path}.config` : "config";
  const parsed = linearConfigSchema.safeParse(config);
  if (!parsed.success)
    throw new AudioError("INVALID_NAM", `invalid Linear config: ${issuesText(parsed.error, at)}`);
  const c = parsed.data;
  if ((c.in_channels ?? 1) !== 1 || (c.out_channels ?? 1) !== 1) {
    throw invalidNam(at, "only mono Linear models are supported");
  }
  const r = new WeightReader(weights);
  const impulse = r.take(c.receptive_field);
  const bias = c.bias ? r.one() : 0;
  checkWeightCount(r, weights, "Linear", path);
  return { ...common, architecture: "Linear", impulse, bias, receptiveField: c.receptive_field };
}

const containerConfigSchema = z.looseObject({
  submodels: z
    .array(
      z.looseObject({
        max_value: z.number().refine(Number.isFinite, "must be a finite number"),
        model: z.unknown(),
      }),
    )
    .min(1, "a SlimmableContainer needs at least one submodel"),
});

function buildContainer(
  config: Record<string, unknown>,
  common: ModelCommon,
  rawSampleRate: number | null,
  path: string,
): SlimmableContainerModel {
  const at = path ? `${path}.config` : "config";
  const parsed = containerConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new AudioError("INVALID_NAM", `invalid SlimmableContainer config: ${issuesText(parsed.error, at)}`);
  }
  const submodels = parsed.data.submodels.map((s, i) => {
    const sp = `${at}.submodels[${i}]`;
    if (s.model === undefined || s.model === null) throw invalidNam(`${sp}.model`, "is required");
    const nested = parseNode(s.model, `${sp}.model`);
    if (nested.rawSampleRate !== null && rawSampleRate !== null && nested.rawSampleRate !== rawSampleRate) {
      throw invalidNam(
        sp,
        `sample rate ${nested.rawSampleRate} differs from the container's ${rawSampleRate}`,
      );
    }
    if (outputChannels(nested.model) !== 1) throw invalidNam(sp, "a submodel must have one output");
    return { maxValue: s.max_value, model: nested.model };
  });
  for (let i = 1; i < submodels.length; i++) {
    if (submodels[i]!.maxValue <= submodels[i - 1]!.maxValue) {
      throw invalidNam(`${at}.submodels[${i}].max_value`, "submodels must be sorted by ascending max_value");
    }
  }
  if (submodels[submodels.length - 1]!.maxValue < 1) {
    throw invalidNam(
      `${at}.submodels[${submodels.length - 1}].max_value`,
      "the last submodel's max_value must be >= 1",
    );
  }
  return { ...common, architecture: "SlimmableContainer", submodels };
}

export function outputChannels(model: NamModel): number {
  return model.architecture === "WaveNet" ? model.outChannels : 1;
}

/** Inputs one output depends on; Infinity for recurrent models (an LSTM remembers everything). */
export function receptiveFieldOf(model: NamModel): number {
  switch (model.architecture) {
    case "WaveNet":
    case "ConvNet":
    case "Linear":
      return model.receptiveField;
    case "LSTM":
      return Number.POSITIVE_INFINITY;
    case "SlimmableContainer":
      return Math.max(...model.submodels.map((s) => receptiveFieldOf(s.model)));
  }
}

/** NAM Core's GetPrewarmSamples (before rounding up to whole 64-sample blocks). */
export function prewarmOf(model: NamModel): number {
  switch (model.architecture) {
    case "WaveNet":
      return model.prewarm;
    case "ConvNet":
      return model.receptiveField;
    case "Linear":
      return 0;
    case "LSTM":
      return Math.ceil((0.5 * model.sampleRate) / 64) * 64;
    case "SlimmableContainer":
      return prewarmOf(model.submodels[model.submodels.length - 1]!.model);
  }
}

function parseNode(json: unknown, path: string): { model: NamModel; rawSampleRate: number | null } {
  const parsed = namFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new AudioError("INVALID_NAM", `invalid .nam file: ${issuesText(parsed.error, path)}`);
  }
  const file = parsed.data;
  checkNamFileVersion(file.version, path);
  const loudness = file.metadata?.loudness;
  const common: ModelCommon = {
    version: file.version,
    sampleRate: file.sample_rate ?? NAM_DEFAULT_SAMPLE_RATE,
    sampleRateAssumed: file.sample_rate == null,
    metadata: file.metadata ?? null,
    loudness: typeof loudness === "number" ? loudness : null,
    weightCount: file.weights.length,
  };
  const rawSampleRate = file.sample_rate ?? null;
  const model = ((): NamModel => {
    switch (file.architecture) {
      case "WaveNet":
        return buildWaveNet(file.config, file.weights, common, rawSampleRate, path);
      case "LSTM":
        return buildLstm(file.config, file.weights, common, path);
      case "ConvNet":
        return buildConvNet(file.config, file.weights, common, path);
      case "Linear":
        return buildLinear(file.config, file.weights, common, path);
      case "SlimmableContainer":
        return buildContainer(file.config, common, rawSampleRate, path);
      default:
        throw new AudioError(
          "UNSUPPORTED_ARCHITECTURE",
          `${path ? `${path}.architecture: ` : ""}architecture "${file.architecture}" is not supported (supported: ${NAM_ARCHITECTURES.join(", ")})`,
        );
    }
  })();
  return { model, rawSampleRate };
}

/**
 * Validate and unpack a `.nam` model (JSON text, bytes, or an already-parsed object), reading
 * what NAM Core daae2d0b reads: versions 0.5.0 to 0.7.0, WaveNet (A1 and configurable), LSTM,
 * ConvNet, Linear and SlimmableContainer (A2), nested models included.
 * Throws AudioError INVALID_NAM (bad JSON, schema, weight count, NaN; the message names the field),
 * UNSUPPORTED_VERSION, UNSUPPORTED_ARCHITECTURE or UNSUPPORTED_ACTIVATION.
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
  const { model } = parseNode(json, "");
  if (outputChannels(model) !== 1) {
    throw new AudioError(
      "INVALID_NAM",
      `the model has ${outputChannels(model)} outputs; only mono models render`,
    );
  }
  return model;
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
