import { isAudioError, prepareInput } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { RenderError } from "@shootout/jobs";
import { fetchTone3000File } from "@shootout/router";
import type { Storage } from "@shootout/storage";
import type { Tone3000Client } from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { loadStoredAudio, type StoredAudio } from "./load-stored-audio.ts";
import { CHAIN_SAMPLE_RATE } from "./tone-chain.ts";

/** Longest IR kept; cabinet IRs are 20–500 ms, anything past this is room tail we do not want. */
export const MAX_IR_SECONDS = 2;

export interface PreparedIr {
  /** The uploaded file's name (for title cards). */
  name: string;
  samples: Float32Array;
  notes: string[];
}

/**
 * Scales an IR to unit energy (sum of squares = 1). A convolution with a unit-energy IR keeps the
 * level of broadband (white) input, so IRs recorded hot or quiet all land near the amp's own
 * level and the loudness match only corrects the cabinet's colour, not its recording gain.
 */
export function normalizeIrEnergy(ir: Float32Array): { samples: Float32Array; gainDb: number } {
  let energy = 0;
  for (let i = 0; i < ir.length; i++) energy += ir[i]! * ir[i]!;
  if (!(energy > 0)) throw new RenderError("The impulse response is silent.");
  const g = 1 / Math.sqrt(energy);
  const out = new Float32Array(ir.length);
  for (let i = 0; i < ir.length; i++) out[i] = ir[i]! * g;
  return { samples: out, gainDb: 20 * Math.log10(g) };
}

/** A user's IR upload made ready for the chain: decode, mono, 48 kHz, at most 2 s, unit energy. */
export async function loadIr(db: Kysely<DB>, storage: Storage, irFileId: string): Promise<PreparedIr> {
  return prepareIr(await loadStoredAudio(db, storage, irFileId, "IR"));
}

/**
 * A Tone 3000 IR made ready for the chain like an upload: downloaded with the owner's token (or
 * from the model cache, checked as a WAV IR when stored), mono, resampled to the render's rate
 * when its own differs (e.g. a 44.1 kHz IR), at most 2 s, unit energy.
 */
export async function loadTone3000Ir(
  db: Kysely<DB>,
  storage: Storage,
  client: () => Promise<Tone3000Client>,
  modelId: string,
  name: string,
  signal?: AbortSignal,
): Promise<PreparedIr> {
  const file = await fetchTone3000File(db, storage, client, modelId, "ir", signal);
  try {
    return prepareIr({ name, prepared: await prepareInput(file.bytes, { targetRate: CHAIN_SAMPLE_RATE }) });
  } catch (error) {
    if (isAudioError(error)) {
      throw new RenderError(`The IR "${name}" cannot be used: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function prepareIr({ name, prepared }: StoredAudio): PreparedIr {
  const notes = prepared.notes.map((n) => `IR "${name}": ${n}`);
  let samples = prepared.samples;
  const max = MAX_IR_SECONDS * CHAIN_SAMPLE_RATE;
  if (samples.length > max) {
    samples = samples.subarray(0, max);
    notes.push(`IR "${name}": cut to its first ${MAX_IR_SECONDS} s`);
  }
  let normalized: ReturnType<typeof normalizeIrEnergy>;
  try {
    normalized = normalizeIrEnergy(samples);
  } catch (error) {
    if (error instanceof RenderError) throw new RenderError(`The IR file "${name}" is silent.`);
    throw error;
  }
  notes.push(`IR "${name}": scaled to unit energy (${normalized.gainDb.toFixed(1)} dB)`);
  return { name, samples: normalized.samples, notes };
}
