import decodeAiffBytes from "@audio/decode-aiff";
import { AudioError } from "../errors.ts";
import type { DecodedAudio } from "./types.ts";

/** AIFF and AIFF-C (8/16/24/32-bit PCM, sowt, fl32/fl64, a-law/u-law, ...) via @audio/decode-aiff. */
export function decodeAiff(bytes: Uint8Array): DecodedAudio {
  let result: { channelData: Float32Array[]; sampleRate: number };
  try {
    result = decodeAiffBytes(bytes);
  } catch (cause) {
    throw new AudioError("MALFORMED_AUDIO", `not a readable AIFF file: ${(cause as Error).message}`, {
      cause,
    });
  }
  const { channelData, sampleRate } = result;
  if (!channelData?.length || !(sampleRate > 0) || channelData[0]!.length === 0) {
    throw new AudioError("MALFORMED_AUDIO", "AIFF has no audio data");
  }
  const n = channelData[0]!.length;
  if (channelData.some((c) => c.length !== n)) {
    throw new AudioError("MALFORMED_AUDIO", "AIFF channels differ in length");
  }
  return {
    format: "aiff",
    sampleRate,
    channels: channelData,
    bitDepth: null,
    sampleFormat: "int",
    warnings: [],
  };
}
