export type AudioFileType = "wav" | "flac" | "aiff" | "mp3";

function ascii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** MPEG audio frame header: 11 sync bits, a valid version, layer III, a valid bitrate and rate. */
function isMp3Frame(bytes: Uint8Array, at: number): boolean {
  if (bytes.length < at + 4) return false;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 3; // 1 is reserved
  const layer = (b1 >> 1) & 3; // 1 = layer III
  const bitrate = b2 >> 4; // 0xf is invalid
  const rate = (b2 >> 2) & 3; // 3 is reserved
  return version !== 1 && layer === 1 && bitrate !== 0xf && rate !== 3;
}

/**
 * Identify an audio file from its first bytes (the upload route validates with this).
 * An ID3v2 tag is skipped before looking for a FLAC or MP3 stream.
 */
export function sniffAudioType(bytes: Uint8Array): AudioFileType | null {
  if ((ascii(bytes, 0, "RIFF") || ascii(bytes, 0, "RF64")) && ascii(bytes, 8, "WAVE")) return "wav";
  if (ascii(bytes, 0, "FORM") && (ascii(bytes, 8, "AIFF") || ascii(bytes, 8, "AIFC"))) return "aiff";
  let at = 0;
  if (ascii(bytes, 0, "ID3") && bytes.length >= 10) {
    // Synchsafe size: 4 x 7 bits, plus the 10-byte header (and a footer when flagged).
    const size =
      ((bytes[6]! & 0x7f) << 21) |
      ((bytes[7]! & 0x7f) << 14) |
      ((bytes[8]! & 0x7f) << 7) |
      (bytes[9]! & 0x7f);
    at = 10 + size + (bytes[5]! & 0x10 ? 10 : 0);
    if (bytes.length <= at) return "mp3"; // only the tag is here; an ID3-tagged file is almost surely MP3
  }
  if (ascii(bytes, at, "fLaC")) return "flac";
  if (isMp3Frame(bytes, at)) return "mp3";
  return null;
}
