import type { AudioFacts, AudioFileType } from "@shootout/audio";
import { decodeAudio, isAudioError, probeAudio, sniffAudioType, unusableAudioReason } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { type FileRow, recordUploadedFile } from "@shootout/router";
import { readObject, type Storage, StorageError } from "@shootout/storage";
import type { Kysely } from "kysely";
import { peek } from "../http/peek.ts";

/** Enough to see past a small ID3 tag; larger tags are taken as MP3 by the sniffer. */
const SNIFF_BYTES = 4096;

const MIME: Record<AudioFileType, string> = {
  wav: "audio/wav",
  flac: "audio/flac",
  aiff: "audio/aiff",
  mp3: "audio/mpeg",
};

/** Why an upload's bytes were refused; the codes are the HTTP route's answers. */
export class UploadRejectedError extends Error {
  readonly code: "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "UNPROCESSABLE_CONTENT";
  constructor(code: UploadRejectedError["code"], message: string) {
    super(message);
    this.name = "UploadRejectedError";
    this.code = code;
  }
}

const LABEL: Record<AudioFileType, string> = { wav: "WAV", flac: "FLAC", aiff: "AIFF", mp3: "MP3" };

/**
 * The file's facts from decoding it whole, for what its headers do not tell (RF64, which the
 * probe cannot read; a header with no length, or no data chunk at all). Refuses (422) what the
 * decoder cannot read either; an MP3 without ffmpeg here stays unmeasured (null).
 */
async function factsByDecoding(
  storage: Storage,
  key: string,
  type: AudioFileType,
): Promise<AudioFacts | null> {
  const bytes = await readObject(storage, key);
  try {
    const decoded = await decodeAudio(bytes);
    const frames = decoded.channels[0]?.length ?? 0;
    return {
      durationMs: Math.round((frames * 1000) / decoded.sampleRate),
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      bitDepth: decoded.bitDepth,
    };
  } catch (error) {
    if (isAudioError(error) && (error.code === "MALFORMED_AUDIO" || error.code === "UNSUPPORTED_FORMAT")) {
      throw new UploadRejectedError(
        "UNPROCESSABLE_CONTENT",
        `not a usable ${LABEL[type]} file: ${error.message}`,
      );
    }
    if (isAudioError(error) && error.code.startsWith("FFMPEG_")) return null;
    throw error;
  }
}

/**
 * What the upload is, measured: its headers when they tell everything (the common case: nothing
 * is decoded or held in memory), else the decoder's reading of it. Either way the facts must be
 * ones the engine renders (unusableAudioReason), or the upload is refused with 422 and why.
 */
async function measureUpload(
  storage: Storage,
  stored: { key: string; size: number },
  type: AudioFileType,
): Promise<AudioFacts> {
  const probed = await probeAudio(await storage.get(stored.key), MIME[type], stored.size);
  const facts =
    probed && probed.durationMs !== null
      ? probed
      : ((await factsByDecoding(storage, stored.key, type)) ?? probed);
  const problem = facts
    ? unusableAudioReason(type, facts)
    : type === "mp3"
      ? "measuring an MP3 needs ffmpeg, which this server lacks"
      : "its headers cannot be read";
  if (problem !== null || !facts) {
    throw new UploadRejectedError("UNPROCESSABLE_CONTENT", `not a usable ${LABEL[type]} file: ${problem}`);
  }
  return facts;
}

export interface IngestUploadInput {
  readonly ownerId: string;
  readonly kind: "di" | "ir";
  /** Display name only: storage is content-addressed. */
  readonly name: string;
  readonly body: AsyncIterable<Uint8Array>;
  readonly maxBytes: number;
}

/**
 * An upload from its bytes to a files row: sniffs the audio type from the first bytes, streams the
 * whole body into storage (hashed on the way, never held in memory whole), reads its length from
 * its headers and records it. Only a file whose headers do not tell its length is loaded whole,
 * to be decoded: measured if the decoder reads it, refused (422) if not; and what it is must be
 * something the engine renders (rate, channels, bit depth, a non-zero length), or 422. Shared by
 * `POST /files` and in-process callers (the CLI), so both accept exactly the same files.
 */
export async function ingestUpload(
  deps: { readonly db: Kysely<DB>; readonly storage: Storage },
  input: IngestUploadInput,
): Promise<{ file: FileRow; type: AudioFileType }> {
  const { head, body } = await peek(input.body, SNIFF_BYTES);
  const type = sniffAudioType(head);
  if (!type) throw new UploadRejectedError("UNSUPPORTED_MEDIA_TYPE", "not a WAV, FLAC, AIFF or MP3 file");

  let stored: Awaited<ReturnType<Storage["put"]>>;
  try {
    stored = await deps.storage.put(body, { maxBytes: input.maxBytes });
  } catch (error) {
    if (error instanceof StorageError && error.code === "too_large") {
      throw new UploadRejectedError("PAYLOAD_TOO_LARGE", `uploads are limited to ${input.maxBytes} bytes`);
    }
    throw error;
  }
  // How long it is (and its rate, channels and depth): shootouts.create checks the DI's length
  // against MAX_DI_SECONDS before any render, and what the engine cannot render is refused now,
  // not when a job meets it.
  const facts = await measureUpload(deps.storage, stored, type);
  // The bytes stay even if this insert fails: the key is content-addressed and may be shared.
  const file = await recordUploadedFile(deps.db, {
    ownerId: input.ownerId,
    kind: input.kind,
    name: input.name,
    mime: MIME[type],
    sizeBytes: stored.size,
    sha256: stored.sha256,
    storageKey: stored.key,
    durationMs: facts.durationMs,
    sampleRate: facts.sampleRate,
    channels: facts.channels,
  });
  return { file, type };
}
