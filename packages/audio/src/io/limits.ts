/**
 * What the engine takes as input audio, in one place: the upload refuses anything outside it
 * (so a render never meets it), and the router bounds its file metadata by it. No DSP here, so
 * the router imports it cheaply (`@shootout/audio/limits`).
 *
 * 8 kHz (telephone) to 384 kHz (the highest rate interfaces record at); libsamplerate converts
 * anything in between to the render rate. 1 to 8 channels: a DI is summed to mono, and FLAC
 * itself stops at 8. Bit depths are what our decoders read.
 */
export const AUDIO_LIMITS = {
  minSampleRate: 8_000,
  maxSampleRate: 384_000,
  maxChannels: 8,
} as const;

/** Bits per sample the decoders read, per lossless container (MP3 has none), and how to say so. */
export const DECODABLE_BIT_DEPTHS: Record<
  "wav" | "flac" | "aiff",
  { min: number; max: number; only?: number[]; text: string }
> = {
  // PCM 8/16/24/32 and IEEE float 32/64 (wav.ts).
  wav: { min: 8, max: 64, only: [8, 16, 24, 32, 64], text: "8, 16, 24, 32 or 64" },
  // libFLAC reads every depth FLAC defines.
  flac: { min: 4, max: 32, text: "4 to 32" },
  // @audio/decode-aiff: 8/16/24/32-bit PCM and 32/64-bit float.
  aiff: { min: 8, max: 64, only: [8, 16, 24, 32, 64], text: "8, 16, 24, 32 or 64" },
};

export function isDecodableBitDepth(type: keyof typeof DECODABLE_BIT_DEPTHS, bits: number): boolean {
  const { min, max, only } = DECODABLE_BIT_DEPTHS[type];
  return Number.isInteger(bits) && bits >= min && bits <= max && (only?.includes(bits) ?? true);
}
