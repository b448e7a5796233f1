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
  const found = data.samples.length;
  const declared = data.chunkSize;
  // 0 and 0xFFFFFFFF are what streaming writers leave when they cannot seek back.
  if (declared === 0 || declared === 0xffffffff) {
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
  let out: Float32Array[];
  if (code === "32f" || code === "64") {
    // wavefile picks int vs float from the plain format tag only, so an extensible float file
    // would come back as integers: read its (already located) little-endian payload directly.
    const view = new DataView(data.samples.buffer, data.samples.byteOffset, data.samples.byteLength);
    const width = bits / 8;
    out = Array.from({ length: channels }, (_, c) => {
      const f = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        const at = (i * channels + c) * width;
        f[i] = width === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
      }
      return f;
    });
  } else {
    let raw: Float64Array | Float64Array[];
    try {
      raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
    } catch (cause) {
      throw new AudioError("MALFORMED_AUDIO", "cannot read WAV samples", { cause });
    }
    const list = channels === 1 ? [raw as Float64Array] : (raw as Float64Array[]);
    const scale = code === "8" ? 1 / 128 : 2 ** -(bits - 1);
    const offset = code === "8" ? -128 : 0;
    out = list.map((ch) => {
      const f = new Float32Array(frames);
      for (let i = 0; i < frames; i++) f[i] = (ch[i]! + offset) * scale;
      return f;
    });
  }
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
  const wav = new WaveFile();
  const samples =
    encoding === "float32" ? list : list.map((c) => floatToInt(c, encoding === "pcm16" ? 16 : 24));
  wav.fromScratch(
    list.length,
    sampleRate,
    encoding === "float32" ? "32f" : encoding === "pcm16" ? "16" : "24",
    samples,
  );
  return wav.toBuffer();
}
