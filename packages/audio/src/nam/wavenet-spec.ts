import { z } from "zod";
import { AudioError } from "../errors.ts";
import { type Activation, parseActivation } from "./activations.ts";
import { invalidNam } from "./layers.ts";

/**
 * The WaveNet config as NAM Core reads it (A1 and the configurable 0.6/0.7 WaveNet): what each
 * key means and its default follow `wavenet::parse_config_json` at NAM Core daae2d0b.
 */

export type GatingMode = "none" | "gated" | "blended";

/** NAM Core's FiLM positions, in the order a layer's weights hold them. */
export const FILM_POSITIONS = [
  "conv_pre_film",
  "conv_post_film",
  "input_mixin_pre_film",
  "input_mixin_post_film",
  "activation_pre_film",
  "activation_post_film",
  "layer1x1_post_film",
  "head1x1_post_film",
] as const;
export type FilmPosition = (typeof FILM_POSITIONS)[number];

export interface FilmSpec {
  active: boolean;
  shift: boolean;
  groups: number;
}

export interface LayerArraySpec {
  inputSize: number;
  conditionSize: number;
  channels: number;
  bottleneck: number;
  headSize: number;
  headKernelSize: number;
  headDilation: number;
  headBias: boolean;
  kernelSizes: number[];
  dilations: number[];
  activations: Activation[];
  gatingModes: GatingMode[];
  /** The gate's / blend's activation, per layer (null where the layer is not gated). */
  secondary: (Activation | null)[];
  groupsInput: number;
  groupsInputMixin: number;
  layer1x1: { active: boolean; groups: number };
  head1x1: { active: boolean; outChannels: number; groups: number };
  films: Record<FilmPosition, FilmSpec>;
  /** `slimmable` "slice_channels_uniform": the channel counts this array can be cut to (ascending). */
  allowedChannels: number[] | null;
}

export interface PostHeadSpec {
  channels: number;
  outChannels: number;
  kernelSizes: number[];
  activation: Activation;
}

export interface WaveNetSpec {
  arrays: LayerArraySpec[];
  postHead: PostHeadSpec | null;
}

const posInt = z.number().int().positive();
const activationSpec = z.union([z.string(), z.looseObject({ type: z.string() })]);
const gatingSchema = z.enum(["none", "gated", "blended"]);
const filmSchema = z
  .union([
    z.literal(false),
    z.null(),
    z.looseObject({
      active: z.boolean().optional(),
      shift: z.boolean().optional(),
      groups: posInt.optional(),
    }),
  ])
  .optional();

const layerArraySchema = z.looseObject({
  input_size: posInt,
  condition_size: posInt,
  channels: posInt,
  bottleneck: posInt.optional(),
  kernel_size: posInt.optional(),
  kernel_sizes: z.array(posInt).optional(),
  dilations: z.array(posInt).min(1),
  activation: z.union([activationSpec, z.array(activationSpec)]),
  gating_mode: z.union([gatingSchema, z.array(gatingSchema)]).optional(),
  gated: z.boolean().optional(),
  secondary_activation: z
    .union([activationSpec, z.array(z.union([activationSpec, z.null()])), z.null()])
    .optional(),
  head: z
    .looseObject({
      out_channels: posInt,
      kernel_size: posInt,
      bias: z.boolean(),
      head_dilation: posInt.optional(),
    })
    .nullish(),
  head_size: posInt.optional(),
  head_bias: z.boolean().optional(),
  groups_input: posInt.optional(),
  groups_input_mixin: posInt.optional(),
  layer1x1: z.looseObject({ active: z.boolean(), groups: posInt }).optional(),
  head1x1: z.looseObject({ active: z.boolean(), out_channels: posInt, groups: posInt }).optional(),
  conv_pre_film: filmSchema,
  conv_post_film: filmSchema,
  input_mixin_pre_film: filmSchema,
  input_mixin_post_film: filmSchema,
  activation_pre_film: filmSchema,
  activation_post_film: filmSchema,
  layer1x1_post_film: filmSchema,
  head1x1_post_film: filmSchema,
  slimmable: z
    .looseObject({
      method: z.string().optional(),
      kwargs: z.looseObject({ allowed_channels: z.array(posInt).min(1).optional() }).nullish(),
    })
    .nullish(),
});

const postHeadSchema = z.looseObject({
  in_channels: posInt.nullish(),
  channels: posInt,
  out_channels: posInt,
  kernel_sizes: z.array(posInt).min(1),
  activation: activationSpec,
});

export const waveNetConfigSchema = z.looseObject({
  layers: z.array(layerArraySchema).min(1),
  head: postHeadSchema.nullish(),
  head_scale: z.number().optional(),
  in_channels: posInt.optional(),
  condition_dsp: z.unknown().optional(),
});

type LayerArrayJson = z.infer<typeof layerArraySchema>;

export function issuesText(error: z.ZodError, base: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const where = [base, ...i.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
        .filter((p) => p !== "")
        .join(".")
        .replace(/\.\[/g, "[");
      return `${where || "(root)"}: ${i.message}`;
    })
    .join("; ");
}

/** Parse an activation, naming where it sits when it is unknown or malformed. */
function activationAt(spec: unknown, path: string): Activation {
  try {
    return parseActivation(spec as string | Record<string, unknown>);
  } catch (e) {
    if (e instanceof AudioError) throw new AudioError(e.code, `${path}: ${e.message}`);
    throw e;
  }
}

function perLayer<T>(value: T | T[], n: number, path: string, what: string): T[] {
  if (!Array.isArray(value)) return Array.from({ length: n }, () => value);
  if (value.length !== n) {
    throw invalidNam(path, `${what} has ${value.length} entries but there are ${n} layers (dilations)`);
  }
  return value;
}

function filmOf(value: LayerArrayJson[FilmPosition]): FilmSpec {
  if (value === undefined || value === null || value === false)
    return { active: false, shift: false, groups: 1 };
  return { active: value.active ?? true, shift: value.shift ?? true, groups: value.groups ?? 1 };
}

function parseLayerArray(a: LayerArrayJson, path: string): LayerArraySpec {
  const n = a.dilations.length;
  const channels = a.channels;
  const bottleneck = a.bottleneck ?? channels;

  let kernelSizes: number[];
  if (a.kernel_size !== undefined && a.kernel_sizes !== undefined) {
    throw invalidNam(path, "give kernel_size or kernel_sizes, not both");
  } else if (a.kernel_sizes !== undefined) {
    kernelSizes = perLayer(a.kernel_sizes, n, `${path}.kernel_sizes`, "kernel_sizes");
  } else if (a.kernel_size !== undefined) {
    kernelSizes = perLayer(a.kernel_size, n, `${path}.kernel_size`, "kernel_size");
  } else {
    throw invalidNam(path, "kernel_size (a number) or kernel_sizes (one per layer) is required");
  }

  const activations = Array.isArray(a.activation)
    ? perLayer(a.activation, n, `${path}.activation`, "activation").map((s, i) =>
        activationAt(s, `${path}.activation[${i}]`),
      )
    : Array.from({ length: n }, () => activationAt(a.activation, `${path}.activation`));

  let gatingModes: GatingMode[];
  if (a.gating_mode !== undefined)
    gatingModes = perLayer(a.gating_mode, n, `${path}.gating_mode`, "gating_mode");
  else gatingModes = Array.from({ length: n }, () => (a.gated ? "gated" : "none"));

  const sec = a.secondary_activation;
  if (Array.isArray(sec) && sec.length !== n) {
    throw invalidNam(
      `${path}.secondary_activation`,
      `secondary_activation has ${sec.length} entries but there are ${n} layers (dilations)`,
    );
  }
  // NAM Core: a gated or blended layer without a secondary activation uses Sigmoid.
  const secondary = gatingModes.map((mode, i) => {
    if (mode === "none") return null;
    if (sec === undefined || a.gating_mode === undefined) return { kind: "sigmoid" } as Activation;
    const s = Array.isArray(sec) ? sec[i] : sec;
    const where = Array.isArray(sec) ? `${path}.secondary_activation[${i}]` : `${path}.secondary_activation`;
    if (s === null || s === undefined)
      throw invalidNam(where, `layer ${i} is ${mode} and needs a secondary activation`);
    return activationAt(s, where);
  });

  let headSize: number;
  let headKernelSize = 1;
  let headDilation = 1;
  let headBias: boolean;
  if (a.head) {
    headSize = a.head.out_channels;
    headKernelSize = a.head.kernel_size;
    headDilation = a.head.head_dilation ?? 1;
    headBias = a.head.bias;
  } else if (a.head_size !== undefined) {
    if (a.head_bias === undefined)
      throw invalidNam(`${path}.head_bias`, "head_bias is required with head_size");
    headSize = a.head_size;
    headBias = a.head_bias;
  } else {
    throw invalidNam(
      path,
      'a "head" object (out_channels, kernel_size, bias) or head_size + head_bias is required',
    );
  }

  const layer1x1 = a.layer1x1 ?? { active: true, groups: 1 };
  const head1x1 = a.head1x1
    ? { active: a.head1x1.active, outChannels: a.head1x1.out_channels, groups: a.head1x1.groups }
    : { active: false, outChannels: channels, groups: 1 };
  const films = Object.fromEntries(FILM_POSITIONS.map((p) => [p, filmOf(a[p])])) as Record<
    FilmPosition,
    FilmSpec
  >;

  if (!layer1x1.active && bottleneck !== channels) {
    throw invalidNam(
      `${path}.bottleneck`,
      `with layer1x1 inactive the bottleneck (${bottleneck}) must equal channels (${channels})`,
    );
  }
  if (films.layer1x1_post_film.active && !layer1x1.active) {
    throw invalidNam(
      `${path}.layer1x1_post_film`,
      "layer1x1_post_film cannot be active when layer1x1 is not",
    );
  }
  if (films.head1x1_post_film.active && !head1x1.active) {
    throw invalidNam(`${path}.head1x1_post_film`, "head1x1_post_film cannot be active when head1x1 is not");
  }
  // PReLU slopes are per channel: their count must fit the channels they act on.
  activations.forEach((act, i) => {
    checkPrelu(act, bottleneck, `${path}.activation`, i);
  });
  secondary.forEach((act, i) => {
    if (act) checkPrelu(act, bottleneck, `${path}.secondary_activation`, i);
  });

  let allowedChannels: number[] | null = null;
  if (a.slimmable) {
    const method = a.slimmable.method ?? "";
    if (method !== "" && method !== "slice_channels_uniform") {
      throw new AudioError(
        "UNSUPPORTED_ARCHITECTURE",
        `${path}.slimmable.method: unsupported slimmable method "${method}" (NAM Core knows slice_channels_uniform)`,
      );
    }
    if (method === "slice_channels_uniform") {
      allowedChannels =
        a.slimmable.kwargs?.allowed_channels ?? Array.from({ length: channels }, (_, i) => i + 1);
      for (let i = 1; i < allowedChannels.length; i++) {
        if (allowedChannels[i]! <= allowedChannels[i - 1]!) {
          throw invalidNam(`${path}.slimmable.kwargs.allowed_channels`, "must be sorted ascending");
        }
      }
      if (allowedChannels[allowedChannels.length - 1] !== channels) {
        throw invalidNam(
          `${path}.slimmable.kwargs.allowed_channels`,
          `the last entry must be the full channel count (${channels})`,
        );
      }
    }
  }

  return {
    inputSize: a.input_size,
    conditionSize: a.condition_size,
    channels,
    bottleneck,
    headSize,
    headKernelSize,
    headDilation,
    headBias,
    kernelSizes,
    dilations: a.dilations,
    activations,
    gatingModes,
    secondary,
    groupsInput: a.groups_input ?? 1,
    groupsInputMixin: a.groups_input_mixin ?? 1,
    layer1x1,
    head1x1,
    films,
    allowedChannels,
  };
}

function checkPrelu(act: Activation, channels: number, path: string, layer: number): void {
  if (act.kind === "prelu" && act.slopes.length !== 1 && act.slopes.length !== channels) {
    throw invalidNam(
      path,
      `layer ${layer}: PReLU has ${act.slopes.length} negative_slopes for ${channels} channels`,
    );
  }
}

/** Validate a WaveNet config's shape (zod) and meaning; `path` names where it sits in the file. */
export function parseWaveNetSpec(config: unknown, path: string): WaveNetSpec {
  const parsed = waveNetConfigSchema.safeParse(config);
  if (!parsed.success)
    throw new AudioError("INVALID_NAM", `invalid WaveNet config: ${issuesText(parsed.error, path)}`);
  const c = parsed.data;
  if ((c.in_channels ?? 1) !== 1) {
    throw invalidNam(`${path}.in_channels`, `only mono models are supported (in_channels ${c.in_channels})`);
  }
  const arrays = c.layers.map((a, i) => parseLayerArray(a, `${path}.layers[${i}]`));
  arrays.forEach((a, i) => {
    const at = `${path}.layers[${i}]`;
    if (i === 0 && a.inputSize !== 1) throw invalidNam(`${at}.input_size`, "must be 1 (the mono input)");
    if (i > 0) {
      const prev = arrays[i - 1]!;
      if (a.inputSize !== prev.channels) {
        throw invalidNam(`${at}.input_size`, `must equal the previous array's channels (${prev.channels})`);
      }
      if (a.channels !== prev.headSize) {
        throw invalidNam(`${at}.channels`, `must equal the previous array's head size (${prev.headSize})`);
      }
      const headOut = a.head1x1.active ? a.head1x1.outChannels : a.bottleneck;
      if (headOut !== prev.headSize) {
        throw invalidNam(
          at,
          `its layers feed ${headOut} channels to the head, but the previous array's head gives ${prev.headSize}`,
        );
      }
    }
  });
  let postHead: PostHeadSpec | null = null;
  if (c.head) {
    const last = arrays[arrays.length - 1]!;
    if (c.head.in_channels != null && c.head.in_channels !== last.headSize) {
      throw invalidNam(
        `${path}.head.in_channels`,
        `must equal the last array's head size (${last.headSize})`,
      );
    }
    postHead = {
      channels: c.head.channels,
      outChannels: c.head.out_channels,
      kernelSizes: c.head.kernel_sizes,
      activation: activationAt(c.head.activation, `${path}.head.activation`),
    };
  }
  return { arrays, postHead };
}
