import { AudioError } from "../errors.ts";
import { decodeAiff } from "./aiff.ts";
import { decodeWithFfmpeg } from "./ffmpeg.ts";
import { decodeFlac } from "./flac.ts";
import { sniffAudioType } from "./sniff.ts";
import type { DecodedAudio } from "./types.ts";
import { decodeWav } from "./wav.ts";

/** Decode WAV, FLAC, AIFF (in-process) or MP3 (ffmpeg) to float channels. The type is sniffed. */
export async function decodeAudio(bytes: Uint8Array): Promise<DecodedAudio> {
  const type = sniffAudioType(bytes);
  switch (type) {
    case "wav":
      return decodeWav(bytes);
    case "flac":
      return decodeFlac(bytes);
    case "aiff":
      return decodeAiff(bytes);
    case "mp3":
      return decodeWithFfmpeg(bytes, "mp3");
    case null:
      throw new AudioError("UNSUPPORTED_FORMAT", "not a WAV, FLAC, AIFF or MP3 file");
  }
}
