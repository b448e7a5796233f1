import { encodeFlac } from "@shootout/audio";
import type { EncodedAudio, EncodeRequest } from "./thread-protocol.ts";
import { CHAIN_SAMPLE_RATE, threadCpuSeconds } from "./tone-chain.ts";
import { encodeWavPcm24Mono } from "./wav-pcm24.ts";

/**
 * Output audio is mono, 48 kHz, 24-bit: FLAC and/or PCM WAV. FLAC at libFLAC level 2: about
 * twice as fast to encode as the default 5 for ~5 % more bytes, and these files are made once
 * per render while the CPU is the bottleneck.
 */
export const FLAC_COMPRESSION = 2;

export async function encodeAudio(samples: Float32Array, request: EncodeRequest): Promise<EncodedAudio> {
  const start = threadCpuSeconds();
  const flac = request.flac
    ? await encodeFlac(samples, CHAIN_SAMPLE_RATE, { bitDepth: 24, compression: FLAC_COMPRESSION })
    : null;
  const wav = request.wav ? encodeWavPcm24Mono(samples, CHAIN_SAMPLE_RATE) : null;
  return { flac, wav, seconds: threadCpuSeconds() - start };
}
