import type { Activation } from "./activations.ts";
import {
  type Conv1DWeights,
  type Conv1x1Weights,
  type FilmWeights,
  readConv1D,
  readConv1x1,
  readFilm,
  type WeightReader,
} from "./layers.ts";
import { FILM_POSITIONS, type FilmPosition, type GatingMode, type WaveNetSpec } from "./wavenet-spec.ts";

/** A WaveNet's layers with their weights, in the order NAM Core's set_weights_ reads them. */

export interface WaveNetLayer {
  kernelSize: number;
  dilation: number;
  activation: Activation;
  gating: GatingMode;
  secondary: Activation | null;
  /** channels -> bottleneck (x2 when gated or blended), with bias. */
  conv: Conv1DWeights;
  /** condition -> conv's outputs, no bias. */
  mixin: Conv1x1Weights;
  /** bottleneck -> channels, with bias (the residual branch). */
  layer1x1: Conv1x1Weights | null;
  /** bottleneck -> head1x1 out_channels, with bias (the skip to the head). */
  head1x1: Conv1x1Weights | null;
  films: Partial<Record<FilmPosition, FilmWeights>>;
}

export interface WaveNetLayerArray {
  inputSize: number;
  conditionSize: number;
  channels: number;
  bottleneck: number;
  headSize: number;
  /** What each layer adds to the head accumulator: head1x1's out_channels, else the bottleneck. */
  headOutputSize: number;
  /** input -> channels, no bias. */
  rechannel: Conv1x1Weights;
  layers: WaveNetLayer[];
  /** headOutputSize -> headSize, causal, with its own kernel size and dilation. */
  headRechannel: Conv1DWeights;
}

export interface WaveNetPostHead {
  /** Each conv is preceded by the activation (NAM's post-stack head). */
  activations: Activation[];
  convs: Conv1DWeights[];
}

export interface WaveNetWeights {
  layerArrays: WaveNetLayerArray[];
  postHead: WaveNetPostHead | null;
  headScale: number;
}

export function readWaveNetWeights(spec: WaveNetSpec, r: WeightReader, path: string): WaveNetWeights {
  const layerArrays = spec.arrays.map((a, ai): WaveNetLayerArray => {
    const at = `${path}.layers[${ai}]`;
    const rechannel = readConv1x1(r, `${at} rechannel`, a.inputSize, a.channels, false);
    const headOutputSize = a.head1x1.active ? a.head1x1.outChannels : a.bottleneck;
    const layers = a.dilations.map((dilation, li): WaveNetLayer => {
      const lat = `${at} layer ${li}`;
      const gating = a.gatingModes[li]!;
      const B = a.bottleneck;
      const Bg = gating === "none" ? B : 2 * B;
      const C = a.channels;
      const Cc = a.conditionSize;
      const kernelSize = a.kernelSizes[li]!;
      const conv = readConv1D(
        r,
        `${lat} conv (groups_input)`,
        C,
        Bg,
        kernelSize,
        dilation,
        true,
        a.groupsInput,
      );
      const mixin = readConv1x1(
        r,
        `${lat} input mixin (groups_input_mixin)`,
        Cc,
        Bg,
        false,
        a.groupsInputMixin,
      );
      const layer1x1 = a.layer1x1.active
        ? readConv1x1(r, `${lat} layer1x1`, B, C, true, a.layer1x1.groups)
        : null;
      const head1x1 = a.head1x1.active
        ? readConv1x1(r, `${lat} head1x1`, B, a.head1x1.outChannels, true, a.head1x1.groups)
        : null;
      const dims: Record<FilmPosition, number> = {
        conv_pre_film: C,
        conv_post_film: Bg,
        input_mixin_pre_film: Cc,
        input_mixin_post_film: Bg,
        activation_pre_film: Bg,
        activation_post_film: B,
        layer1x1_post_film: C,
        head1x1_post_film: a.head1x1.outChannels,
      };
      const films: Partial<Record<FilmPosition, FilmWeights>> = {};
      for (const p of FILM_POSITIONS) {
        const f = a.films[p];
        if (f.active) films[p] = readFilm(r, `${at}.${p}`, Cc, dims[p], f.shift, f.groups);
      }
      return {
        kernelSize,
        dilation,
        activation: a.activations[li]!,
        gating,
        secondary: a.secondary[li]!,
        conv,
        mixin,
        layer1x1,
        head1x1,
        films,
      };
    });
    const headRechannel = readConv1D(
      r,
      `${at}.head`,
      headOutputSize,
      a.headSize,
      a.headKernelSize,
      a.headDilation,
      a.headBias,
    );
    return {
      inputSize: a.inputSize,
      conditionSize: a.conditionSize,
      channels: a.channels,
      bottleneck: a.bottleneck,
      headSize: a.headSize,
      headOutputSize,
      rechannel,
      layers,
      headRechannel,
    };
  });
  let postHead: WaveNetPostHead | null = null;
  if (spec.postHead) {
    const h = spec.postHead;
    let cin = spec.arrays[spec.arrays.length - 1]!.headSize;
    const convs: Conv1DWeights[] = [];
    h.kernelSizes.forEach((k, i) => {
      const cout = i === h.kernelSizes.length - 1 ? h.outChannels : h.channels;
      convs.push(readConv1D(r, `${path}.head conv ${i}`, cin, cout, k, 1, true));
      cin = cout;
    });
    postHead = { activations: convs.map(() => h.activation), convs };
  }
  // NAM Core takes head_scale from the last weight, not from config.head_scale.
  const headScale = r.one();
  return { layerArrays, postHead, headScale };
}

/** 1 + what the layer arrays and the post-stack head look back (NAM Core's WaveNet prewarm, minus the condition DSP). */
export function waveNetOwnReceptiveField(spec: WaveNetSpec): number {
  let rf = 1;
  for (const a of spec.arrays) {
    a.dilations.forEach((d, i) => {
      rf += d * (a.kernelSizes[i]! - 1);
    });
    rf += a.headDilation * (a.headKernelSize - 1);
  }
  if (spec.postHead) for (const k of spec.postHead.kernelSizes) rf += k - 1;
  return rf;
}
