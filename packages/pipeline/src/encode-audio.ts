import { encodeFlac, encodeWav } from "@shootout/audio";
import type { EncodedAudio, EncodeRequest } from "./thread-protocol.ts";
import { CHAIN_SAMPLE_RATE } from "./tone-chain.ts";

/** Output audio is 24-bit: FLAC (libFLAC level 5) and/or PCM WAV, mono, 48 kHz. */
export async function encodeAudio(samples: Float32Array, request: EncodeRequest): Promise<EncodedAudio> {
  const start = performance.now();
  const flac = request.flac ? await encodeFlac(samples, CHAIN_SAMPLE_RATE, { bitDepth: 24 }) : null;
  const wav = request.wav ? encodeWav(samples, CHAIN_SAMPLE_RATE, "pcm24") : null;
  return { flac, wav, seconds: (performance.now() - start) / 1000 };
}
