import { createRequire } from "node:module";
import { AudioError } from "../errors.ts";
import type { DecodedAudio } from "./types.ts";
import { floatToInt } from "./wav.ts";

/**
 * FLAC through libflac.js (libFLAC 1.3 compiled to WebAssembly): the reference codec, for both
 * directions. Its Emscripten loader tries `fetch()` on a file path under Node, so `fetch` is
 * hidden while the module is required and the .wasm is read from disk instead.
 */

interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  total_samples: number;
}

interface FlacLib {
  isReady(): boolean;
  on(event: "ready", cb: () => void): void;
}

interface FlacDecoderInstance {
  decode(data: Uint8Array): boolean;
  getSamples(interleaved: false): Uint8Array[];
  readonly metadata: FlacStreamInfo | undefined;
  getState(): number;
  destroy(): void;
}

interface FlacEncoderInstance {
  encode(pcm?: Int32Array[], numberOfSamples?: number): boolean;
  getSamples(): Uint8Array;
  readonly metadata: FlacStreamInfo | undefined;
  destroy(): void;
}

interface FlacModules {
  Flac: FlacLib;
  Decoder: new (flac: FlacLib, options: { verify?: boolean }) => FlacDecoderInstance;
  Encoder: new (
    flac: FlacLib,
    options: {
      sampleRate: number;
      channels: number;
      bitsPerSample: number;
      compression: number;
      verify?: boolean;
    },
  ) => FlacEncoderInstance;
  exportFlacFile(data: Uint8Array[], metadata: FlacStreamInfo, isOgg: boolean): Blob;
}

let loading: Promise<FlacModules> | null = null;

function loadFlac(): Promise<FlacModules> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const g = globalThis as { fetch?: typeof fetch };
    const savedFetch = g.fetch;
    let Flac: FlacLib;
    try {
      g.fetch = undefined;
      Flac = (require("libflacjs") as (variant: string) => FlacLib)("min.wasm");
    } finally {
      g.fetch = savedFetch;
    }
    await new Promise<void>((resolve) => (Flac.isReady() ? resolve() : Flac.on("ready", () => resolve())));
    const { Decoder } = require("libflacjs/lib/decoder") as Pick<FlacModules, "Decoder">;
    const { Encoder } = require("libflacjs/lib/encoder") as Pick<FlacModules, "Encoder">;
    const { exportFlacFile } = require("libflacjs/lib/utils") as Pick<FlacModules, "exportFlacFile">;
    return { Flac, Decoder, Encoder, exportFlacFile };
  })();
  return loading;
}

export async function decodeFlac(bytes: Uint8Array): Promise<DecodedAudio> {
  const { Flac, Decoder } = await loadFlac();
  const dec = new Decoder(Flac, { verify: false });
  try {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    // libflac.js reports stream errors (lost sync, CRC mismatch) only through console.error;
    // catch them for the duration of this synchronous call.
    const streamErrors: string[] = [];
    const savedConsoleError = console.error;
    let ok: boolean;
    try {
      console.error = (...args: unknown[]) => void streamErrors.push(args.map(String).join(" "));
      ok = dec.decode(copy);
    } finally {
      console.error = savedConsoleError;
    }
    if (streamErrors.length > 0) {
      const what = streamErrors[0]!.replace(/^.*FLAC__STREAM_DECODER_ERROR_STATUS_/, "").toLowerCase();
      throw new AudioError(
        "MALFORMED_AUDIO",
        `FLAC stream is corrupt (${streamErrors.length} errors, first: ${what})`,
      );
    }
    const info = dec.metadata;
    if (!ok || !info) throw new AudioError("MALFORMED_AUDIO", "not a decodable FLAC stream");
    const raw = dec.getSamples(false);
    const { channels, bitsPerSample: bits, sampleRate } = info;
    if (raw.length !== channels) throw new AudioError("MALFORMED_AUDIO", "FLAC stream has no audio frames");
    // libflac.js hands each channel as little-endian ints: 2 bytes up to 16 bits, 4 above.
    const width = bits <= 16 ? 2 : 4;
    const frames = raw[0]!.length / width;
    const expected = info.total_samples;
    if (expected > 0 && frames < expected) {
      throw new AudioError("MALFORMED_AUDIO", `FLAC is truncated: ${frames} of ${expected} samples decoded`);
    }
    if (frames === 0) throw new AudioError("MALFORMED_AUDIO", "FLAC stream has no audio frames");
    const scale = 2 ** -(bits - 1);
    const out = raw.map((ch) => {
      const view = new DataView(ch.buffer, ch.byteOffset, ch.byteLength);
      const f = new Float32Array(frames);
      if (width === 2) for (let i = 0; i < frames; i++) f[i] = view.getInt16(2 * i, true) * scale;
      else for (let i = 0; i < frames; i++) f[i] = view.getInt32(4 * i, true) * scale;
      return f;
    });
    return { format: "flac", sampleRate, channels: out, bitDepth: bits, sampleFormat: "int", warnings: [] };
  } finally {
    dec.destroy();
  }
}

export interface FlacEncodeOptions {
  /** 16 or 24 (default 24). */
  bitDepth?: 16 | 24;
  /** libFLAC compression level 0..8 (default 5). */
  compression?: number;
}

export async function encodeFlac(
  channels: Float32Array | Float32Array[],
  sampleRate: number,
  options: FlacEncodeOptions = {},
): Promise<Uint8Array> {
  const list = Array.isArray(channels) ? channels : [channels];
  const bits = options.bitDepth ?? 24;
  if (list.length < 1 || list.length > 8)
    throw new AudioError("INVALID_ARGUMENT", "FLAC needs 1 to 8 channels");
  const n = list[0]!.length;
  if (list.some((c) => c.length !== n)) throw new AudioError("INVALID_ARGUMENT", "channels differ in length");
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 655_350) {
    throw new AudioError("INVALID_ARGUMENT", `FLAC cannot store a sample rate of ${sampleRate}`);
  }
  const { Flac, Encoder, exportFlacFile } = await loadFlac();
  const enc = new Encoder(Flac, {
    sampleRate,
    channels: list.length,
    bitsPerSample: bits,
    compression: options.compression ?? 5,
    verify: false,
  });
  try {
    // Converted and fed in pieces: neither the wasm heap nor this thread holds a whole long file
    // as integers (4 bytes a sample: 115 MB for ten minutes).
    const step = 1 << 18;
    for (let off = 0; off < n; off += step) {
      const end = Math.min(n, off + step);
      if (
        !enc.encode(
          list.map((c) => floatToInt(c.subarray(off, end), bits)),
          end - off,
        )
      ) {
        throw new AudioError("INVALID_ARGUMENT", "FLAC encoder rejected the samples");
      }
    }
    if (!enc.encode()) throw new AudioError("INVALID_ARGUMENT", "FLAC encoder failed to finish");
    const metadata = enc.metadata;
    if (!metadata) throw new AudioError("INVALID_ARGUMENT", "FLAC encoder produced no stream info");
    // exportFlacFile patches the final STREAMINFO (length, MD5) into the header.
    const blob = exportFlacFile([enc.getSamples()], metadata, false);
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    enc.destroy();
  }
}
