import wavefile from "wavefile";
import { AudioError } from "../errors.ts";
import type { DecodedAudio } from "./types.ts";

const { WaveFile } = wavefile;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

/**
 * WAV via `wavefile`: PCM 8/16/24/32, float 32/64, mono/stereo/multichannel, WAVE_FORMAT_EXTENSIBLE.
 * wavefile reads a truncated data chunk without complaint, so the declared and found sizes are
 * compared here, and the extensible subformat GUID (which wavefile ignores) picks int vs float.
 */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  let wav: InstanceType<typeof WaveFile>;
  try {
    wav = new WaveFile(bytes);
  } catch (cause) {
    throw new AudioError("MALFORMED_AUDIO", `not a readable WAV file: ${(cause as Error).message}`, {
      cause,
    });
  }
  const fmt = wav.fmt as {
    audioFormat: number;
    numChannels: number;
    sampleRate: number;
    blockAlign: number;
    bitsPerSample: number;
    subformat?: number[];
  };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  const warnings: string[] = [];
  const format = fmt.audioFormat === FORMAT_EXTENSIBLE ? (fmt.subformat?.[0] ?? 0) : fmt.audioFormat;
  const bits = fmt.bitsPerSample;
  let code: string;
  if (format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) code = String(bits);
  else if (format === FORMAT_FLOAT && bits === 32) code = "32f";
  else if (format === FORMAT_FLOAT && bits === 64) code = "64";
  else {
    throw new AudioError(
      "UNSUPPORTED_FORMAT",
      `unsupported WAV encoding (format tag ${format}, ${bits} bits); supported: PCM 8/16/24/32, float 32/64`,
    );
  }
  const channels = fmt.numChannels;
  if (channels < 1 || fmt.sampleRate < 1 || fmt.sampleRate > 1_536_000) {
    throw new AudioError(
      "MALFORMED_AUDIO",
      `WAV header is invalid (${channels} channels, ${fmt.sampleRate} Hz)`,
    );
  }
  const frameBytes = channels * (bits / 8);
  if (fmt.blockAlign !== frameBytes) {
    throw new AudioError("MALFORMED_AUDIO", `WAV block align ${fmt.blockAlign} does not match ${frameBytes}`);
  }
  const declared = data.chunkSize;
  const unset = declared === 0 || declared === 0xffffffff;
  // An odd-sized data chunk is followed by a pad byte (RIFF), which wavefile hands over with the
  // samples; bytes past the declared size are never audio.
  const found = !unset && declared < data.samples.length ? declared : data.samples.length;
  // 0 and 0xFFFFFFFF are what streaming writers leave when they cannot seek back.
  if (unset) {
    if (found > 0) warnings.push("WAV data chunk size was not set; read to the end of the file");
  } else if (declared > found) {
    throw new AudioError(
      "MALFORMED_AUDIO",
      `WAV is truncated or its data chunk size is wrong: ${declared} bytes declared, ${found} present`,
    );
  }
  if (found % frameBytes !== 0) {
    throw new AudioError("MALFORMED_AUDIO", "WAV data ends in the middle of a sample frame");
  }
  if (found === 0) throw new AudioError("MALFORMED_AUDIO", "WAV has no audio data");
  const frames = found / frameBytes;
  // wavefile located and bounded the payload; its per-sample unpacking is slow (and keys int vs
  // float on the plain format tag only), so the interleaved payload is converted here.
  const littleEndian = (wav as unknown as { container: string }).container !== "RIFX";
  const view = new DataView(data.samples.buffer, data.samples.byteOffset, found);
  const width = bits / 8;
  const read: (at: number) => number =
    code === "32f"
      ? (at) => view.getFloat32(at, littleEndian)
      : code === "64"
        ? (at) => view.getFloat64(at, littleEndian)
        : code === "8"
          ? (at) => (view.getUint8(at) - 128) / 128
          : code === "16"
            ? (at) => view.getInt16(at, littleEndian) / 32768
            : code === "24"
              ? littleEndian
                ? (at) => ((view.getInt8(at + 2) << 16) | view.getUint16(at, true)) / 8388608
                : (at) => ((view.getInt8(at) << 16) | view.getUint16(at + 1, false)) / 8388608
              : (at) => view.getInt32(at, littleEndian) / 2147483648;
  const out = Array.from({ length: channels }, (_, c) => {
    const f = new Float32Array(frames);
    for (let i = 0, at = c * width; i < frames; i++, at += frameBytes) f[i] = read(at);
    return f;
  });
  return {
    format: "wav",
    sampleRate: fmt.sampleRate,
    channels: out,
    bitDepth: bits,
    sampleFormat: code === "32f" || code === "64" ? "float" : "int",
    warnings,
  };
}

export type WavEncoding = "pcm16" | "pcm24" | "float32";

/** Float samples to integers, rounded and clipped to the format's range (x * 2^(bits-1)). */
export function floatToInt(samples: Float32Array, bits: number): Int32Array {
  const full = 2 ** (bits - 1);
  const out = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * full);
    out[i] = v >= full ? full - 1 : Math.max(v, -full);
  }
  return out;
}

/** Encode channels (all the same length) as WAV: 24-bit PCM (default), 16-bit PCM or 32-bit float. */
export function encodeWav(
  channels: Float32Array | Float32Array[],
  sampleRate: number,
  encoding: WavEncoding = "pcm24",
): Uint8Array {
  const list = Array.isArray(channels) ? channels : [channels];
  if (list.length === 0) throw new AudioError("INVALID_ARGUMENT", "no channels to encode");
  const n = list[0]!.length;
  if (list.some((c) => c.length !== n)) throw new AudioError("INVALID_ARGUMENT", "channels differ in length");
  if (!(sampleRate > 0)) throw new AudioError("INVALID_ARGUMENT", "sample rate must be positive");
  // wavefile writes the RIFF/fmt/data structure; the payload is packed here because its own
  // per-sample packing takes seconds for a minute of float audio.
  const code = encoding === "float32" ? "32f" : encoding === "pcm16" ? "16" : "24";
  const wav = new WaveFile();
  wav.fromScratch(
    list.length,
    sampleRate,
    code,
    list.map(() => new Float64Array(0)),
  );
  const width = encoding === "float32" ? 4 : encoding === "pcm16" ? 2 : 3;
  const payload = new Uint8Array(n * list.length * width);
  const view = new DataView(payload.buffer);
  list.forEach((ch, c) => {
    const ints = encoding === "float32" ? null : floatToInt(ch, encoding === "pcm16" ? 16 : 24);
    for (let i = 0, at = c * width; i < n; i++, at += width * list.length) {
      if (ints === null) view.setFloat32(at, ch[i]!, true);
      else if (width === 2) view.setInt16(at, ints[i]!, true);
      else {
        const v = ints[i]!;
        view.setUint16(at, v & 0xffff, true);
        view.setInt8(at + 2, v >> 16);
      }
    }
  });
  const d = wav.data as { samples: Uint8Array; chunkSize: number };
  d.samples = payload;
  d.chunkSize = payload.length;
  return wav.toBuffer();
}
