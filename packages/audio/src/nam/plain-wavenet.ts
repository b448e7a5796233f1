import type { Activation } from "./activations.ts";
import type { WaveNetModel } from "./model.ts";

/**
 * The "plain" WaveNet shape the specialised renderers take (wasm/wavenet-wasm.ts, and wavenet-js.ts
 * when every head has kernel 1): A1 and the WaveNets inside an A2 export. Per layer a kernel size,
 * a dilation and an activation; bottleneck = channels, plain or sigmoid-gated, layer1x1 on, no
 * FiLM, no head1x1, ungrouped, no post-stack head; the head rechannel may have its own kernel
 * size and dilation. The condition is the mono input, or the output of a nested condition DSP
 * that is itself a plain WaveNet (its channels condition every layer's input mixin). Any WaveNet
 * of that shape is converted to it.
 */

export interface PlainLayer {
  dilation: number;
  kernelSize: number;
  activation: Activation;
  /** Dilated conv, NAM layout: [out][in][tap] (tap 0 = oldest), length convOut*channels*K. */
  conv: Float32Array;
  convBias: Float32Array;
  /** Input mixin 1x1 (no bias): [out][condition] (conditionSize columns). */
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
  /** Channels of the output: 1 for a whole model; a condition DSP may have more (its last head size). */
  outChannels: number;
  /** The nested model whose output is the condition (conditionSize channels), else the input is. */
  conditionDsp: PlainWaveNet | null;
}

/**
 * The plain shape of a WaveNet, or null. A model to render has one output; `nested` allows more
 * (a condition DSP's outputs are its last array's head channels).
 */
export function asPlainWaveNet(model: WaveNetModel, nested = false): PlainWaveNet | null {
  if (model.postHead || (!nested && model.outChannels !== 1)) return null;
  let conditionDsp: PlainWaveNet | null = null;
  if (model.conditionDsp) {
    if (model.conditionDsp.architecture !== "WaveNet") return null;
    conditionDsp = asPlainWaveNet(model.conditionDsp, true);
    if (!conditionDsp) return null;
  }
  const conditionSize = conditionDsp ? conditionDsp.outChannels : 1;
  const arrays: PlainLayerArray[] = [];
  for (const a of model.layerArrays) {
    const first = a.layers[0]!;
    if (a.conditionSize !== conditionSize || a.bottleneck !== a.channels) return null;
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
      conditionSize,
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
    outChannels: model.outChannels,
    conditionDsp,
  };
}
