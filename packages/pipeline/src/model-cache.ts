import { type NamModel, parseNamModel, receptiveFieldOf, slimNamModel } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { fetchTone3000File } from "@shootout/router";
import type { Storage } from "@shootout/storage";
import type { Tone3000Client } from "@shootout/tone3000";
import type { Kysely } from "kysely";

export { MAX_MODEL_BYTES } from "@shootout/router";

export interface CachedModel {
  /** The `.nam` JSON text, checked to parse as a NAM model. */
  text: string;
  sha256: string;
  architecture: string;
  /** The parsed model (its sizes, its info for the result). */
  model: NamModel;
  /**
   * Samples of input each output sample depends on at full size (see splitReceptiveField);
   * null for recurrent models (LSTM), which must render from the start.
   */
  receptiveField: number | null;
  /** Whether it came from the cache (true) or was downloaded now. */
  cached: boolean;
}

/**
 * Samples of input each output sample depends on, at the size rendered (WaveNet, ConvNet, Linear
 * and containers of them: no state beyond that, so a part of the signal rendered with this much
 * lead-in is the same, bit for bit, as rendered in one go); null when the audio package says
 * Infinity (a recurrent model, an LSTM anywhere in a container), which must render from the start.
 */
export function splitReceptiveField(model: NamModel, slim: number | null = null): number | null {
  const field = receptiveFieldOf(slim === null ? model : slimNamModel(model, slim));
  return Number.isFinite(field) ? field : null;
}

/**
 * A Tone 3000 model's `.nam`, downloaded once for everybody (the router's fetchTone3000File: the
 * model cache, checked before it is stored) and parsed.
 */
export async function fetchModel(
  db: Kysely<DB>,
  storage: Storage,
  client: () => Promise<Tone3000Client>,
  modelId: string,
  signal?: AbortSignal,
): Promise<CachedModel> {
  const file = await fetchTone3000File(db, storage, client, modelId, "nam", signal);
  const text = new TextDecoder().decode(file.bytes);
  const model = parseNamModel(text);
  return {
    text,
    sha256: file.sha256,
    architecture: model.architecture,
    model,
    receptiveField: splitReceptiveField(model),
    cached: file.cached,
  };
}
