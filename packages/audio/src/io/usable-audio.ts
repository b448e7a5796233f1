import { AUDIO_LIMITS, DECODABLE_BIT_DEPTHS, isDecodableBitDepth } from "./limits.ts";
import type { AudioFacts } from "./probe.ts";
import type { AudioFileType } from "./sniff.ts";

const { minSampleRate, maxSampleRate, maxChannels } = AUDIO_LIMITS;

/**
 * Why audio with these facts cannot be rendered (a sentence for the user), or null when it can:
 * a rate, channel count and bit depth the engine takes, and a known, non-zero length. Applied to
 * every upload, whether its facts came from its headers or from decoding it, so a header that
 * declares 4294967295 Hz or 65535 channels is refused at upload, never stored or rendered.
 */
export function unusableAudioReason(type: AudioFileType, facts: AudioFacts): string | null {
  const { sampleRate, channels, bitDepth, durationMs } = facts;
  if (!Number.isInteger(sampleRate) || sampleRate < minSampleRate || sampleRate > maxSampleRate) {
    return `its sample rate (${sampleRate} Hz) is outside ${minSampleRate}–${maxSampleRate} Hz`;
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > maxChannels) {
    return `it has ${channels} channels; 1 to ${maxChannels} are supported`;
  }
  if (type !== "mp3" && bitDepth !== null && !isDecodableBitDepth(type, bitDepth)) {
    return `${bitDepth} bits per sample is not supported (${DECODABLE_BIT_DEPTHS[type].text})`;
  }
  if (durationMs === null) return "its length cannot be determined";
  if (!(durationMs > 0)) return "it holds no audio";
  return null;
}
