import { z } from "zod";
import { activationName } from "./activations.ts";
import { NAM_ARCHITECTURES, type NamModel, prewarmOf, receptiveFieldOf, type WaveNetModel } from "./model.ts";
import { namModelSizes, namSizeBreakpoints, sizeLabel, slimNamModel } from "./slim.ts";

/** What a model is, for a tone card: architecture, sizes, receptive field, sample rate. */
export const namModelSizeInfoSchema = z.object({
  /** 0 = smallest; the last is the full size (the default). */
  index: z.number().int().nonnegative(),
  /** The size values [from, to) (0..1, as NAM's slim control) that pick it; render with `slim: from`. */
  from: z.number().min(0).max(1),
  to: z.number().min(0).max(1),
  label: z.string(),
  architecture: z.enum(NAM_ARCHITECTURES),
  /** Inputs one output depends on; null for a recurrent model (LSTM). */
  receptiveField: z.number().int().positive().nullable(),
  prewarmSamples: z.number().int().nonnegative(),
  /** Weights this size computes with (a measure of its cost). */
  parameters: z.number().int().nonnegative(),
});

export const namModelInfoSchema = z.object({
  architecture: z.enum(NAM_ARCHITECTURES),
  /** "A2" for a SlimmableContainer of WaveNets, "A1" for an A1-shaped WaveNet, else null. */
  family: z.enum(["A1", "A2"]).nullable(),
  version: z.string(),
  sampleRate: z.number().positive(),
  sampleRateAssumed: z.boolean(),
  weightCount: z.number().int().nonnegative(),
  /** One line: "SlimmableContainer: 2 sizes (WaveNet 3 ch, WaveNet 8 ch)". */
  summary: z.string(),
  /** Of the full size (what renders by default). */
  receptiveField: z.number().int().positive().nullable(),
  activations: z.array(z.string()),
  /** NAM Core's GetSlimmableSizeBreakpoints (empty when the model has one size). */
  breakpoints: z.array(z.number()),
  sizes: z.array(namModelSizeInfoSchema).min(1),
});

export type NamModelInfo = z.infer<typeof namModelInfoSchema>;
export type NamModelSizeInfo = z.infer<typeof namModelSizeInfoSchema>;

const convParams = (c: { w: Float32Array; bias: Float32Array | null; groups: number }) =>
  c.w.length / c.groups + (c.bias?.length ?? 0);

/** Weights a model computes with (a slimmed WaveNet counts its slice, a container its full size). */
export function parameterCount(model: NamModel): number {
  switch (model.architecture) {
    case "WaveNet": {
      let n = 1 + (model.conditionDsp ? parameterCount(model.conditionDsp) : 0);
      for (const a of model.layerArrays) {
        n += convParams(a.rechannel) + convParams(a.headRechannel);
        for (const l of a.layers) {
          n += convParams(l.conv) + convParams(l.mixin);
          if (l.layer1x1) n += convParams(l.layer1x1);
          if (l.head1x1) n += convParams(l.head1x1);
          for (const f of Object.values(l.films)) n += convParams(f.conv);
        }
      }
      for (const c of model.postHead?.convs ?? []) n += convParams(c);
      return n;
    }
    case "SlimmableContainer":
      return parameterCount(slimNamModel(model, 1));
    default:
      return model.weightCount;
  }
}

/** A1: one kernel size and activation per array, a kernel-1 head (what the A1 trainer exports). */
function isA1Shape(model: WaveNetModel): boolean {
  const p = model.plain;
  if (!p || model.slimmable || p.conditionDsp) return false;
  return p.layerArrays.every((a) => {
    const l0 = a.layers[0]!;
    return (
      a.headKernelSize === 1 &&
      a.layers.every(
        (l) =>
          l.kernelSize === l0.kernelSize && JSON.stringify(l.activation) === JSON.stringify(l0.activation),
      )
    );
  });
}

const finiteOrNull = (n: number) => (Number.isFinite(n) ? n : null);

function activationsOf(model: NamModel, into: Set<string>): void {
  switch (model.architecture) {
    case "WaveNet":
      for (const a of model.layerArrays)
        for (const l of a.layers) {
          into.add(activationName(l.activation));
          if (l.secondary) into.add(activationName(l.secondary));
        }
      if (model.conditionDsp) activationsOf(model.conditionDsp, into);
      return;
    case "ConvNet":
      into.add(activationName(model.activation));
      return;
    case "LSTM":
      into.add("LSTM");
      return;
    case "Linear":
      return;
    case "SlimmableContainer":
      for (const s of model.submodels) activationsOf(s.model, into);
  }
}

export function namModelInfo(model: NamModel): NamModelInfo {
  const sizes = namModelSizes(model).map((s) => {
    const m = slimNamModel(model, s.from);
    return {
      index: s.index,
      from: s.from,
      to: s.to,
      label: s.label,
      architecture: m.architecture,
      receptiveField: finiteOrNull(receptiveFieldOf(m)),
      prewarmSamples: Math.ceil(prewarmOf(m) / 64) * 64,
      parameters: parameterCount(m),
    };
  });
  const full = slimNamModel(model, 1);
  const family =
    model.architecture === "SlimmableContainer" &&
    model.submodels.every((s) => s.model.architecture === "WaveNet")
      ? "A2"
      : model.architecture === "WaveNet" && isA1Shape(model)
        ? "A1"
        : null;
  const summary =
    sizes.length > 1
      ? `${model.architecture}: ${sizes.length} sizes (${sizes.map((s) => s.label).join(", ")})`
      : sizeLabel(model);
  const acts = new Set<string>();
  activationsOf(model, acts);
  return {
    architecture: model.architecture,
    family,
    version: model.version,
    sampleRate: model.sampleRate,
    sampleRateAssumed: model.sampleRateAssumed,
    weightCount: model.weightCount,
    summary,
    receptiveField: finiteOrNull(receptiveFieldOf(full)),
    activations: [...acts],
    breakpoints: namSizeBreakpoints(model),
    sizes,
  };
}
