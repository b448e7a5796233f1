import { createHash } from "node:crypto";
import { decodeAudio, isAudioError, parseNamModel, sniffAudioType } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { putBytes, readObject, type Storage } from "@shootout/storage";
import type { Tone3000Client } from "@shootout/tone3000";
import { type Kysely, sql } from "kysely";
import { z } from "zod";

/** What a Tone 3000 file is used as: an amp capture (`.nam`) or a cabinet IR (a WAV). */
export type Tone3000FileKind = "nam" | "ir";

/** Tone 3000 model ids are integers; ours are stored as text. */
export const tone3000ModelIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, "not a Tone 3000 model id")
  .transform(Number);

/** Largest `.nam` accepted (the big WaveNets are a few MB of JSON). */
export const MAX_MODEL_BYTES = 32 * 1024 * 1024;
/** Largest IR accepted: 2 s of 8-channel 32-bit 384 kHz audio is ~25 MB; real cab IRs are KBs. */
export const MAX_IR_BYTES = 32 * 1024 * 1024;

/** model_cache.architecture of an IR: it tells the two kinds apart for a cached id. */
export const IR_ARCHITECTURE = "IR";

/** A Tone 3000 file that is not what it is used as (not a `.nam`, not a WAV IR). Names the file. */
export class Tone3000FileInvalidError extends Error {
  readonly fileName: string;
  readonly kind: Tone3000FileKind;
  constructor(fileName: string, kind: Tone3000FileKind, reason: string) {
    super(
      `'${fileName}' is ${kind === "nam" ? "not a valid .nam model" : "not a WAV impulse response"}: ${reason}`,
    );
    this.name = "Tone3000FileInvalidError";
    this.fileName = fileName;
    this.kind = kind;
  }
}

export interface Tone3000File {
  bytes: Uint8Array;
  sha256: string;
  /** model_cache.architecture: the NAM architecture ("WaveNet", "SlimmableContainer"…) or "IR". */
  architecture: string;
  /** Whether it came from the cache (true) or was downloaded now. */
  cached: boolean;
}

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The file's name as Tone 3000 serves it (the last part of model_url), else the model's name. */
function fileNameOf(model: { model_url: string; name?: string | null | undefined }, id: number): string {
  try {
    const last = new URL(model.model_url, "https://x.invalid").pathname.split("/").pop();
    if (last) return decodeURIComponent(last);
  } catch {}
  return model.name ?? `model ${id}`;
}

/** A cached model's file name, for a refusal that names it (asked of Tone 3000; its id if that fails). */
async function nameOf(
  client: () => Promise<Tone3000Client>,
  id: number,
  signal?: AbortSignal,
): Promise<string> {
  try {
    return fileNameOf(await (await client()).getModel(id, { signal }), id);
  } catch {
    return `model ${id}`;
  }
}

/** A `.nam`'s architecture, or why it is not one (the audio package's reason, naming the field). */
function checkNam(bytes: Uint8Array, fileName: string): string {
  try {
    return parseNamModel(new TextDecoder().decode(bytes)).architecture;
  } catch (error) {
    if (isAudioError(error)) throw new Tone3000FileInvalidError(fileName, "nam", error.message);
    throw error;
  }
}

/** A WAV the renderer can use as a cabinet: decodes, has samples, is not silent. */
async function checkIr(bytes: Uint8Array, fileName: string): Promise<void> {
  const type = sniffAudioType(bytes);
  if (type !== "wav") {
    throw new Tone3000FileInvalidError(
      fileName,
      "ir",
      type ? `it is ${type.toUpperCase()}` : "not a WAV file",
    );
  }
  let audio: Awaited<ReturnType<typeof decodeAudio>>;
  try {
    audio = await decodeAudio(bytes);
  } catch (error) {
    if (isAudioError(error)) throw new Tone3000FileInvalidError(fileName, "ir", error.message);
    throw error;
  }
  const first = audio.channels[0];
  if (!first || first.length === 0) throw new Tone3000FileInvalidError(fileName, "ir", "it has no samples");
  if (!audio.channels.some((c) => c.some((v) => v !== 0))) {
    throw new Tone3000FileInvalidError(fileName, "ir", "it is silent");
  }
}

/**
 * A Tone 3000 model's file, downloaded once for everybody with the user's token: model_cache maps
 * the model id to the content hash and the storage key of its bytes. A file is checked for what
 * it is used as before it is cached (a `.nam` parses as a NAM model, an IR decodes as a WAV), so a
 * bad file is never stored; a cached copy whose bytes are gone or no longer hash right is
 * downloaded again. shootouts.create/update call it (a bad file is refused when saved) and the
 * worker calls it again (it then comes from the cache).
 */
export async function fetchTone3000File(
  db: Kysely<DB>,
  storage: Storage,
  client: () => Promise<Tone3000Client>,
  modelId: string,
  kind: Tone3000FileKind,
  signal?: AbortSignal,
): Promise<Tone3000File> {
  const numericId = tone3000ModelIdSchema.parse(modelId);
  const row = await db
    .selectFrom("modelCache")
    .selectAll()
    .where("tone3000ModelId", "=", modelId)
    .executeTakeFirst();
  if (row) {
    const bytes = await readObject(storage, row.storageKey).catch(() => null);
    if (bytes && sha256Of(bytes) === row.sha256) {
      const isIr = row.architecture === IR_ARCHITECTURE;
      if (kind === "ir" && !isIr) {
        throw new Tone3000FileInvalidError(
          await nameOf(client, numericId, signal),
          "ir",
          "it is a .nam model",
        );
      }
      if (kind === "nam" && isIr) {
        const name = await nameOf(client, numericId, signal);
        throw new Tone3000FileInvalidError(name, "nam", "it is a WAV impulse response");
      }
      return { bytes, sha256: row.sha256, architecture: row.architecture ?? IR_ARCHITECTURE, cached: true };
    }
  }
  const api = await client();
  const meta = await api.getModel(numericId, { signal });
  const fileName = fileNameOf(meta, numericId);
  const downloaded =
    kind === "nam"
      ? await api.downloadFile(meta, { signal, maxBytes: MAX_MODEL_BYTES })
      : await api.downloadFile(meta, { signal, maxBytes: MAX_IR_BYTES });
  let architecture: string;
  if (kind === "nam") architecture = checkNam(downloaded.bytes, fileName);
  else {
    await checkIr(downloaded.bytes, fileName);
    architecture = IR_ARCHITECTURE;
  }
  const stored = await putBytes(storage, downloaded.bytes);
  await db
    .insertInto("modelCache")
    .values({
      tone3000ModelId: modelId,
      sha256: stored.sha256,
      storageKey: stored.key,
      sizeBytes: stored.size,
      architecture,
    })
    .onConflict((oc) =>
      oc.column("tone3000ModelId").doUpdateSet({
        sha256: stored.sha256,
        storageKey: stored.key,
        sizeBytes: stored.size,
        architecture,
        fetchedAt: sql`now()`,
      }),
    )
    .execute();
  return { bytes: downloaded.bytes, sha256: stored.sha256, architecture, cached: false };
}
