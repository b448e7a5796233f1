import { z } from "zod";

/**
 * Shape of a `.nam` file (JSON) as NAM's exporter writes it. Only what inference needs is strict;
 * unknown keys are kept (`looseObject`) so that the model loader can name A2-only features when it
 * refuses them instead of silently ignoring them.
 */

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const namActivationSchema = z.union([z.string().min(1), z.looseObject({ type: z.string().min(1) })]);

export const namWaveNetLayerArraySchema = z.looseObject({
  input_size: z.number().int().positive(),
  condition_size: z.number().int().positive(),
  head_size: z.number().int().positive(),
  channels: z.number().int().positive(),
  kernel_size: z.number().int().positive(),
  dilations: z.array(z.number().int().positive()).min(1),
  activation: namActivationSchema,
  gated: z.boolean().optional(),
  head_bias: z.boolean(),
});

export const namWaveNetConfigSchema = z.looseObject({
  layers: z.array(namWaveNetLayerArraySchema).min(1),
  head: z.unknown().optional(),
  head_scale: finite.optional(),
});

export const namLstmConfigSchema = z.looseObject({
  input_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  num_layers: z.number().int().positive(),
});

export const namMetadataSchema = z
  .looseObject({
    name: z.string().nullish(),
    modeled_by: z.string().nullish(),
    gear_type: z.string().nullish(),
    gear_make: z.string().nullish(),
    gear_model: z.string().nullish(),
    tone_type: z.string().nullish(),
    loudness: finite.nullish(),
    gain: finite.nullish(),
    input_level_dbu: finite.nullish(),
    output_level_dbu: finite.nullish(),
  })
  .nullish();

export const namFileSchema = z.looseObject({
  version: z.string().min(1),
  architecture: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  weights: z.array(finite),
  sample_rate: z.number().positive().finite().nullish(),
  metadata: namMetadataSchema,
});

export type NamFile = z.infer<typeof namFileSchema>;
export type NamMetadata = z.infer<typeof namMetadataSchema>;
