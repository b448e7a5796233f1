import type { Activation } from "./activations.ts";
import type { WaveNetModel } from "./model.ts";

/**
 * The "plain" WaveNet shape the specialised renderers take (wasm/wavenet-wasm.ts, and wavenet-js.ts
 * when every head has kernel 1): A1 and the WaveNets inside an A2 export. Per layer a kernel size,
 * a dilation and an activation; bottleneck = channels, plain or sigmoid-gated, layer1x1 on, no
 * FiLM, no head1x1, ungrouped, mono condition, no condition DSP; the head rechannel may have its
 * own kernel size and dilation. Any WaveNet of that shape is converted to it.
 */

export interface PlainLayer {
  dilation: number;
  kernelSize: number;
  activation: Activation;
  /** Dilated conv, NAM layout: [out][in][tap] (tap 0 = oldest), length convOut*channels*K. */
  conv: Float32Array;
  convBias: Float32Array;
  /** Input mixin 1x1 (no bias): [out][condition]. */
  mixin: Float32Array;
  /** Residual 1x1: [channels][channels] row-major, plus bias. */
  out1x1: Float32Array;
  out1x1Bias: Float32Array;
}

export interface PlainLayerArray {
  inputSize: number;
  conditionSize: number;
  headSize: number;
  channels: number;
  gated: boolean;
  rechannel: Float32Array;
  layers: PlainLayer[];
  /** Head rechannel, NAM Conv1D layout [headSize][channels][tap], causal over the head sums. */
  headRechannel: Float32Array;
  headRechannelBias: Float32Array | null;
  headKernelSize: number;
  headDilation: number;
}

export interface PlainWaveNet {
  sampleRate: number;
  layerArrays: PlainLayerArray[];
  headScale: number;
  receptiveField: number;
}

export function asPlainWaveNet(model: WaveNetModel): PlainWaveNet | null {
  if (model.conditionDsp || model.postHead || model.outChannels !== 1) return null;
  const arrays: PlainLayerArray[] = [];
  for (const a of model.layerArrays) {
    const first = a.layers[0]!;
    if (a.conditionSize !== 1 || a.bottleneck !== a.channels) return null;
    if (a.rechannel.groups !== 1 || a.headRechannel.groups !== 1) return null;
    const gated = first.gating === "gated";
    for (const l of a.layers) {
      // PReLU's slope depends on the channel: the kernels apply one function to every lane.
      if (l.activation.kind === "prelu") return null;
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
      gated,
      rechannel: a.rechannel.w,
      layers: a.layers.map((l) => ({
        dilation: l.dilation,
        kernelSize: l.kernelSize,
        activation: l.activation,
        conv: l.conv.w,
        convBias: l.conv.bias!,
        mixin: l.mixin.w,
        out1x1: l.layer1x1!.w,
        out1x1Bias: l.layer1x1!.bias!,
      })),
      headRechannel: a.headRechannel.w,
      headRechannelBias: a.headRechannel.bias,
      headKernelSize: a.headRechannel.kernelSize,
      headDilation: a.headRechannel.dilation,
    });
  }
  return {
    sampleRate: model.sampleRate,
    layerArrays: arrays,
    headScale: model.headScale,
    receptiveField: model.receptiveField,
  };
}
