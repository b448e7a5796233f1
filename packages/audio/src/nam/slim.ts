import { AudioError } from "../errors.ts";
import type { Conv1DWeights, Conv1x1Weights, FilmWeights } from "./layers.ts";
import type { NamModel, WaveNetModel } from "./model.ts";
import { asPlainWaveNet } from "./plain-wavenet.ts";
import type { WaveNetLayerArray } from "./wavenet-weights.ts";

/**
 * Model sizes, as NAM Core's SlimmableModel: a value 0..1 picks a size, 1 (the default) is full.
 * A SlimmableContainer (A2) picks one of its submodels; a WaveNet with `slimmable` layer arrays
 * slices its channels ("slice_channels_uniform").
 */

export interface NamModelSize {
  /** The size value range [from, to) that selects this size (the last one includes 1). */
  from: number;
  to: number;
  /** 0 = smallest. */
  index: number;
  /** What this size is, for a user: "WaveNet 3 ch", "LSTM 1x3". */
  label: string;
}

function ratioBreakpoints(allowed: (number[] | null)[]): number[] {
  const set = new Set<number>();
  for (const a of allowed) if (a) for (let i = 1; i < a.length; i++) set.add(i / a.length);
  return [...set].sort((x, y) => x - y);
}

/** NAM Core's GetSlimmableSizeBreakpoints: the values in (0, 1) where the size changes. */
export function namSizeBreakpoints(model: NamModel): number[] {
  if (model.architecture === "SlimmableContainer") return model.submodels.slice(0, -1).map((s) => s.maxValue);
  if (model.architecture === "WaveNet" && model.slimmable)
    return ratioBreakpoints(model.slimmable.allowedChannels);
  return [];
}

export function isSlimmable(model: NamModel): boolean {
  return namSizeBreakpoints(model).length > 0;
}

function checkValue(value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new AudioError("INVALID_ARGUMENT", `a model size must be a number from 0 to 1 (got ${value})`);
  }
}

const channelsFor = (value: number, allowed: number[]) =>
  allowed[Math.min(Math.floor(value * allowed.length), allowed.length - 1)]!;

/** The model that renders at size `value` (0..1); the full model for anything not slimmable. */
export function slimNamModel(model: NamModel, value = 1): NamModel {
  checkValue(value);
  if (model.architecture === "SlimmableContainer") {
    const pick =
      model.submodels.find((s) => value < s.maxValue) ?? model.submodels[model.submodels.length - 1]!;
    return pick.model;
  }
  if (model.architecture === "WaveNet" && model.slimmable) {
    const target = model.layerArrays.map((a, i) => {
      const allowed = model.slimmable!.allowedChannels[i];
      return allowed ? channelsFor(value, allowed) : a.channels;
    });
    if (target.every((c, i) => c === model.layerArrays[i]!.channels)) return model;
    return sliceWaveNet(model, target);
  }
  return model;
}

/** The sizes a model offers, smallest first (one entry for a model that is not slimmable). */
export function namModelSizes(model: NamModel): NamModelSize[] {
  const bps = namSizeBreakpoints(model);
  const edges = [0, ...bps, 1];
  return edges.slice(0, -1).map((from, index) => ({
    from,
    to: edges[index + 1]!,
    index,
    label: sizeLabel(slimNamModel(model, from)),
  }));
}

export function sizeLabel(model: NamModel): string {
  switch (model.architecture) {
    case "WaveNet":
      return `WaveNet ${model.layerArrays.map((a) => a.channels).join("/")} ch`;
    case "LSTM":
      return `LSTM ${model.layers.length}x${model.hiddenSize}`;
    case "ConvNet":
      return `ConvNet ${model.channels} ch`;
    case "Linear":
      return `Linear ${model.receptiveField} taps`;
    case "SlimmableContainer":
      return `${model.submodels.length} sizes`;
  }
}

// Slicing keeps the first rows/columns of every matrix, exactly as NAM Core's
// extract_slimmed_weights does (for a gated conv that is the first 2*B' rows of the 2*B).

function sliceRows(
  w: Float32Array,
  rows: number,
  cols: number,
  keepRows: number,
  keepCols: number,
  taps = 1,
) {
  const out = new Float32Array(keepRows * keepCols * taps);
  for (let i = 0; i < keepRows; i++)
    for (let j = 0; j < keepCols; j++)
      for (let k = 0; k < taps; k++) out[(i * keepCols + j) * taps + k] = w[(i * cols + j) * taps + k]!;
  void rows;
  return out;
}

function slice1x1(c: Conv1x1Weights, inCh: number, outCh: number): Conv1x1Weights {
  return {
    inChannels: inCh,
    outChannels: outCh,
    groups: 1,
    w: sliceRows(c.w, c.outChannels, c.inChannels, outCh, inCh),
    bias: c.bias ? c.bias.slice(0, outCh) : null,
  };
}

function slice1D(c: Conv1DWeights, inCh: number, outCh: number): Conv1DWeights {
  return {
    ...c,
    inChannels: inCh,
    outChannels: outCh,
    groups: 1,
    w: sliceRows(c.w, c.outChannels, c.inChannels, outCh, inCh, c.kernelSize),
    bias: c.bias ? c.bias.slice(0, outCh) : null,
  };
}

function sliceFilm(f: FilmWeights, dim: number): FilmWeights {
  return { dim, shift: f.shift, conv: slice1x1(f.conv, f.conv.inChannels, (f.shift ? 2 : 1) * dim) };
}

function sliceWaveNet(model: WaveNetModel, target: number[]): WaveNetModel {
  const n = model.layerArrays.length;
  const layerArrays = model.layerArrays.map((a, ai): WaveNetLayerArray => {
    const ch = target[ai]!;
    const bn = a.layers[0]!.layer1x1 ? Math.max(1, Math.floor((a.bottleneck * ch) / a.channels)) : ch;
    const input = ai === 0 ? a.inputSize : target[ai - 1]!;
    const headSize = ai < n - 1 ? target[ai + 1]! : a.headSize;
    const head1x1Out = a.layers[0]!.head1x1?.outChannels;
    const headOut = head1x1Out ?? bn;
    return {
      ...a,
      inputSize: input,
      channels: ch,
      bottleneck: bn,
      headSize,
      headOutputSize: headOut,
      rechannel: slice1x1(a.rechannel, input, ch),
      layers: a.layers.map((l) => {
        const bg = l.gating === "none" ? bn : 2 * bn;
        const f = l.films;
        const films: typeof f = {};
        if (f.conv_pre_film) films.conv_pre_film = sliceFilm(f.conv_pre_film, ch);
        if (f.conv_post_film) films.conv_post_film = sliceFilm(f.conv_post_film, bg);
        if (f.input_mixin_pre_film) films.input_mixin_pre_film = f.input_mixin_pre_film;
        if (f.input_mixin_post_film) films.input_mixin_post_film = sliceFilm(f.input_mixin_post_film, bg);
        if (f.activation_pre_film) films.activation_pre_film = sliceFilm(f.activation_pre_film, bg);
        if (f.activation_post_film) films.activation_post_film = sliceFilm(f.activation_post_film, bn);
        if (f.layer1x1_post_film) films.layer1x1_post_film = sliceFilm(f.layer1x1_post_film, ch);
        if (f.head1x1_post_film) films.head1x1_post_film = f.head1x1_post_film;
        return {
          ...l,
          conv: slice1D(l.conv, ch, bg),
          mixin: slice1x1(l.mixin, l.mixin.inChannels, bg),
          layer1x1: l.layer1x1 ? slice1x1(l.layer1x1, bn, ch) : null,
          head1x1: l.head1x1 ? slice1x1(l.head1x1, bn, l.head1x1.outChannels) : null,
          films,
        };
      }),
      headRechannel: slice1D(a.headRechannel, headOut, headSize),
    };
  });
  const slim: WaveNetModel = { ...model, layerArrays, slimmable: null, plain: null };
  slim.plain = asPlainWaveNet(slim);
  return slim;
}
