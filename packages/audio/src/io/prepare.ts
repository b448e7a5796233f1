import { AudioError } from "../errors.ts";
import { decodeAudio } from "./decode.ts";
import { type ResampleQuality, resample, TARGET_SAMPLE_RATE } from "./resample.ts";
import type { AudioFileType } from "./sniff.ts";

/** Average the channels into one: (L + R) / 2 for stereo, so a full-scale stereo DI cannot clip. */
export function mixToMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 0) throw new AudioError("INVALID_ARGUMENT", "no channels");
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]!.length;
  const out = new Float32Array(n);
  const g = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < n; i++) out[i]! += ch[i]! * g;
  return out;
}

export interface PreparedInput {
  /** Mono samples at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  source: { format: AudioFileType; sampleRate: number; channels: number; bitDepth: number | null };
  /** Human-readable notes on what was done (mono sum, resampling) plus decoder warnings. */
  notes: string[];
}

/**
 * What the pipeline does to a DI upload: decode, sum to mono, resample to `targetRate` (48 kHz).
 */
export async function prepareInput(
  bytes: Uint8Array,
  options: { targetRate?: number; quality?: ResampleQuality } = {},
): Promise<PreparedInput> {
  const targetRate = options.targetRate ?? TARGET_SAMPLE_RATE;
  const decoded = await decodeAudio(bytes);
  const notes = [...decoded.warnings];
  const channels = decoded.channels.length;
  if (channels > 1) {
    notes.push(
      `${channels === 2 ? "stereo" : `${channels}-channel`} input was summed to mono (channel average)`,
    );
  }
  let samples = mixToMono(decoded.channels);
  if (decoded.sampleRate !== targetRate) {
    samples = await resample(samples, decoded.sampleRate, targetRate, options.quality ?? "best");
    notes.push(`resampled from ${decoded.sampleRate} Hz to ${targetRate} Hz (libsamplerate, best quality)`);
  }
  return {
    samples,
    sampleRate: targetRate,
    source: { format: decoded.format, sampleRate: decoded.sampleRate, channels, bitDepth: decoded.bitDepth },
    notes,
  };
}
