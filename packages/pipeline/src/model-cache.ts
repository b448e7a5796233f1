import { createHash } from "node:crypto";
import { type NamModel, parseNamModel, receptiveFieldOf, slimNamModel } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { putBytes, readObject, type Storage } from "@shootout/storage";
import type { Tone3000Client } from "@shootout/tone3000";
import { type Kysely, sql } from "kysely";
import { z } from "zod";

/** Tone 3000 model ids are integers; ours are stored as text. */
const modelIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, "not a Tone 3000 model id")
  .transform(Number);

/** Largest `.nam` accepted (the big WaveNets are a few MB of JSON). */
export const MAX_MODEL_BYTES = 32 * 1024 * 1024;

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

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * A Tone 3000 model's `.nam`, downloaded once for everybody: model_cache maps the model id to the
 * content hash and the storage key of its bytes. A cached copy whose bytes are gone or no longer
 * hash right is downloaded again. The model is parsed by the audio package before it is cached,
 * so a malformed `.nam` is never stored.
 */
export async function fetchModel(
  db: Kysely<DB>,
  storage: Storage,
  client: () => Promise<Tone3000Client>,
  modelId: string,
  signal?: AbortSignal,
): Promise<CachedModel> {
  const numericId = modelIdSchema.parse(modelId);
  const row = await db
    .selectFrom("modelCache")
    .selectAll()
    .where("tone3000ModelId", "=", modelId)
    .executeTakeFirst();
  if (row) {
    const bytes = await readObject(storage, row.storageKey).catch(() => null);
    if (bytes && sha256Of(bytes) === row.sha256) {
      const text = new TextDecoder().decode(bytes);
      const model = parseNamModel(text);
      return {
        text,
        sha256: row.sha256,
        architecture: model.architecture,
        model,
        receptiveField: splitReceptiveField(model),
        cached: true,
      };
    }
  }
  const api = await client();
  const meta = await api.getModel(numericId, { signal });
  const downloaded = await api.downloadModel(meta, { signal, maxBytes: MAX_MODEL_BYTES });
  const text = new TextDecoder().decode(downloaded.bytes);
  const model = parseNamModel(text);
  const stored = await putBytes(storage, downloaded.bytes);
  await db
    .insertInto("modelCache")
    .values({
      tone3000ModelId: modelId,
      sha256: stored.sha256,
      storageKey: stored.key,
      sizeBytes: stored.size,
      architecture: model.architecture,
    })
    .onConflict((oc) =>
      oc.column("tone3000ModelId").doUpdateSet({
        sha256: stored.sha256,
        storageKey: stored.key,
        sizeBytes: stored.size,
        architecture: model.architecture,
        fetchedAt: sql`now()`,
      }),
    )
    .execute();
  return {
    text,
    sha256: stored.sha256,
    architecture: model.architecture,
    model,
    receptiveField: splitReceptiveField(model),
    cached: false,
  };
}
