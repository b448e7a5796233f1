import { trimSilence } from "@shootout/audio";
import { DEFAULT_MAX_DI_SECONDS, MIN_DI_SECONDS } from "@shootout/config";
import type { DB } from "@shootout/db";
import { RenderError } from "@shootout/jobs";
import type { Storage } from "@shootout/storage";
import type { Kysely } from "kysely";
import { loadStoredAudio } from "./load-stored-audio.ts";
import { CHAIN_SAMPLE_RATE } from "./tone-chain.ts";

export interface PreparedDi {
  /** Mono, 48 kHz, silence trimmed. */
  samples: Float32Array;
  /** What was done to it, for the user (mono sum, resampling, trimming, decoder warnings). */
  notes: string[];
  source: { sampleRate: number; channels: number; format: string };
}

/**
 * Loads the shootout's DI from storage: decode, sum to mono, resample to 48 kHz, trim silence.
 * A DI longer than `maxDiSeconds` once trimmed is refused before anything renders (the render
 * holds every tone of it in memory at once).
 */
export async function loadDi(
  db: Kysely<DB>,
  storage: Storage,
  diFileId: string,
  maxDiSeconds = DEFAULT_MAX_DI_SECONDS,
): Promise<PreparedDi> {
  const { name, prepared } = await loadStoredAudio(db, storage, diFileId, "DI");
  const trimmed = trimSilence(prepared.samples, CHAIN_SAMPLE_RATE);
  if (trimmed.silent) throw new RenderError(`The DI file "${name}" is silent.`);
  const notes = [...prepared.notes];
  const cut = prepared.samples.length - trimmed.samples.length;
  if (cut > 0) {
    notes.push(
      `trimmed ${((trimmed.start / CHAIN_SAMPLE_RATE) * 1000).toFixed(0)} ms of leading and ${(((prepared.samples.length - trimmed.end) / CHAIN_SAMPLE_RATE) * 1000).toFixed(0)} ms of trailing silence`,
    );
  }
  if (trimmed.samples.length < MIN_DI_SECONDS * CHAIN_SAMPLE_RATE) {
    throw new RenderError(`The DI file "${name}" is shorter than ${MIN_DI_SECONDS} s once trimmed.`);
  }
  const seconds = trimmed.samples.length / CHAIN_SAMPLE_RATE;
  if (seconds > maxDiSeconds) {
    throw new RenderError(
      `The DI file "${name}" is ${seconds.toFixed(1)} s long once trimmed; shootouts here take DIs up to ${maxDiSeconds} s. Cut it shorter.`,
    );
  }
  return {
    samples: trimmed.samples,
    notes,
    source: {
      sampleRate: prepared.source.sampleRate,
      channels: prepared.source.channels,
      format: prepared.source.format,
    },
  };
}
