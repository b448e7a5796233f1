import type { Activation } from "./activations.ts";
import type { WaveNetModel } from "./model.ts";

/**
 * The A1 WaveNet shape (one kernel size and activation per array, bottleneck = channels, plain or
 * sigmoid-gated, no FiLM, no head1x1, kernel-1 head, mono condition) that the specialised renderers
 * (wavenet-js.ts, wasm/wavenet-wasm.ts) take. Any WaveNet of that shape is converted to it.
 */

export interface A1Layer {
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

export interface A1LayerArray {
  inputSize: number;
  conditionSize: number;
  headSize: number;
  channels: number;
  kernelSize: number;
  gated: boolean;
  activation: Activation;
  rechannel: Float32Array;
  layers: A1Layer[];
  headRechannel: Float32Array;
  headRechannelBias: Float32Array | null;
}

export interface A1WaveNet {
  sampleRate: number;
  layerArrays: A1LayerArray[];
  headScale: number;
  receptiveField: number;
}

const sameActivation = (a: Activation, b: Activation) =>
  a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);

export function asA1(model: WaveNetModel): A1WaveNet | null {
  if (model.conditionDsp || model.postHead || model.outChannels !== 1) return null;
  const arrays: A1LayerArray[] = [];
  for (const a of model.layerArrays) {
    const first = a.layers[0]!;
    if (a.conditionSize !== 1 || a.bottleneck !== a.channels || a.headRechannel.kernelSize !== 1) return null;
    if (a.rechannel.groups !== 1 || a.headRechannel.groups !== 1) return null;
    if (first.activation.kind === "prelu") return null;
    const gated = first.gating === "gated";
    for (const l of a.layers) {
      if (l.kernelSize !== first.kernelSize || !sameActivation(l.activation, first.activation)) return null;
      if (l.gating === "blended" || (l.gating === "gated") !== gated) return null;
      if (gated && l.secondary?.kind !== "sigmoid") return null;
      if (!l.layer1x1 || l.head1x1 || Object.keys(l.films).length > 0) return null;
      if (l.conv.groups !== 1 || l.mixin.groups !== 1 || l.layer1x1.groups !== 1) return null;
    }
    arrays.push({
      inputSize: a.inputSize,
      conditionSize: 1,
      headSize: a.headSize,
      channels: a.channels,
      kernelSize: first.kernelSize,
      gated,
      activation: first.activation,
      rechannel: a.rechannel.w,
      layers: a.layers.map((l) => ({
        dilation: l.dilation,
        conv: l.conv.w,
        convBias: l.conv.bias!,
        mixin: l.mixin.w,
        out1x1: l.layer1x1!.w,
        out1x1Bias: l.layer1x1!.bias!,
      })),
      headRechannel: a.headRechannel.w,
      headRechannelBias: a.headRechannel.bias,
    });
  }
  return {
    sampleRate: model.sampleRate,
    layerArrays: arrays,
    headScale: model.headScale,
    receptiveField: model.receptiveField,
  };
}
