import type { AudioFileType } from "./sniff.ts";

export interface DecodedAudio {
  format: AudioFileType;
  sampleRate: number;
  /** One Float32Array per channel, nominal range [-1, 1]. */
  channels: Float32Array[];
  /** Bits per sample of the source, when the format has one (MP3 has none). */
  bitDepth: number | null;
  sampleFormat: "int" | "float" | "compressed";
  /** Things worth telling the user that did not stop decoding. */
  warnings: string[];
}
