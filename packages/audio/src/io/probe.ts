import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export interface AudioFacts {
  /** Null when the file does not say (a streamed FLAC's STREAMINFO may leave it at 0). */
  durationMs: number | null;
  sampleRate: number;
  channels: number;
  /** Bits per sample as the file declares them; null when the format has none (MP3) or it does not say. */
  bitDepth: number | null;
}

/**
 * Duration, sample rate and channels of an audio file from its bytes as a stream, without
 * decoding it: the headers of WAV, FLAC and AIFF say so; MP3 without a Xing/VBRI header is
 * scanned frame by frame. Null when the file does not say (or is not what it claims).
 * music-metadata reads every container we accept; its header parsers are well exercised.
 */
export async function probeAudio(
  stream: Readable,
  mimeType: string,
  /** The file's size in bytes, when known: a length is then what the bytes hold, not what a truncated header claims. */
  size?: number,
): Promise<AudioFacts | null> {
  // Loaded on first use (~90 ms to import), outside the try: a missing package is an error, not
  // "the file does not say". A render never probes.
  const { parseWebStream } = await import("music-metadata").catch((error: unknown) => {
    stream.destroy();
    throw error;
  });
  try {
    // The web-stream entry: music-metadata's Node-stream one exists only under the "node" export
    // condition, which test runners and bundlers do not always pick.
    const web = Readable.toWeb(stream) as WebReadableStream<Uint8Array>;
    const { format } = await parseWebStream(web, size === undefined ? { mimeType } : { mimeType, size }, {
      duration: true,
      skipCovers: true,
    });
    if (!format.sampleRate || !format.numberOfChannels) return null;
    return {
      durationMs: format.duration ? Math.round(format.duration * 1000) : null,
      sampleRate: format.sampleRate,
      channels: format.numberOfChannels,
      bitDepth: format.bitsPerSample ?? null,
    };
  } catch {
    return null;
  } finally {
    stream.destroy();
  }
}
