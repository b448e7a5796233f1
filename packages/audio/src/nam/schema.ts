import { z } from "zod";

/**
 * Shape of a `.nam` file (JSON) as NAM's exporter writes it: the envelope every architecture
 * shares. Unknown keys are kept (`looseObject`), as NAM Core ignores them; each architecture's
 * config is validated by its own schema (wavenet-spec.ts, model.ts).
 */

const finite = z.number().refine(Number.isFinite, "must be a finite number");

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
