import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AUDIO_LIMITS, encodeFlac, encodeWav, probeAudio, unusableAudioReason } from "../src/index.ts";

const ffmpegAvailable = (() => {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const tone = (seconds: number, rate: number) =>
  Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate),
  );

/** The bytes as a stream in small pieces, as an upload arrives. */
const streamOf = (bytes: Uint8Array) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) =>
      bytes.subarray(i * 1000, (i + 1) * 1000),
    ),
  );

describe("probeAudio (length, rate and channels from the headers)", () => {
  it("WAV and FLAC, mono and stereo", async () => {
    const mono = tone(2.5, 44_100);
    expect(await probeAudio(streamOf(encodeWav(mono, 44_100, "pcm16")), "audio/wav")).toEqual({
      durationMs: 2500,
      sampleRate: 44_100,
      channels: 1,
      bitDepth: 16,
    });
    const stereo = [tone(1.25, 48_000), tone(1.25, 48_000)];
    expect(await probeAudio(streamOf(encodeWav(stereo, 48_000, "float32")), "audio/wav")).toEqual({
      durationMs: 1250,
      sampleRate: 48_000,
      channels: 2,
      bitDepth: 32,
    });
    expect(await probeAudio(streamOf(await encodeFlac(mono, 44_100)), "audio/flac")).toEqual({
      durationMs: 2500,
      sampleRate: 44_100,
      channels: 1,
      bitDepth: 24,
    });
  });

  it.skipIf(!ffmpegAvailable)("an MP3 (ffmpeg-made, no Xing header: scanned frame by frame)", async () => {
    const mp3 = execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=3:sample_rate=44100"],
      ...["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0", "-f", "mp3", "pipe:1"],
    ]);
    const facts = await probeAudio(streamOf(mp3), "audio/mpeg");
    expect(facts).toMatchObject({ sampleRate: 44_100, channels: 1 });
    // MP3 pads to whole 1152-sample frames (and the encoder adds its delay).
    expect(Math.abs(facts!.durationMs! - 3000)).toBeLessThan(80);
  });

  it("given the file's size, a truncated WAV's length is what its bytes hold, not what its header claims", async () => {
    const whole = encodeWav(tone(3, 48_000), 48_000, "pcm16");
    // About one second of the three, the header still declaring three.
    const cut = whole.subarray(0, 44 + 48_000 * 2);
    expect((await probeAudio(streamOf(cut), "audio/wav"))?.durationMs).toBe(3000);
    expect((await probeAudio(streamOf(cut), "audio/wav", cut.byteLength))?.durationMs).toBe(1000);
    expect((await probeAudio(streamOf(whole), "audio/wav", whole.byteLength))?.durationMs).toBe(3000);
  });

  it("gives rate and channels without a length when the header has none (a streamed FLAC)", async () => {
    const flac = await encodeFlac(tone(1, 48_000), 48_000);
    // STREAMINFO's total-samples field (36 bits from byte 21 of the file) set to 0: "unknown".
    const streamed = new Uint8Array(flac);
    streamed[21] = streamed[21]! & 0xf0;
    streamed.fill(0, 22, 26);
    expect(await probeAudio(streamOf(streamed), "audio/flac")).toEqual({
      durationMs: null,
      sampleRate: 48_000,
      channels: 1,
      bitDepth: 24,
    });
  });

  it("says nothing (null) for bytes that are not what they claim", async () => {
    expect(await probeAudio(streamOf(new TextEncoder().encode("not audio at all")), "audio/wav")).toBeNull();
    expect(await probeAudio(streamOf(new Uint8Array(0)), "audio/flac")).toBeNull();
  });
});

describe("unusableAudioReason (what the engine takes, whatever a header claims)", () => {
  const ok = { durationMs: 1000, sampleRate: 48_000, channels: 2, bitDepth: 24 };

  it("takes ordinary audio in every container", () => {
    for (const type of ["wav", "flac", "aiff"] as const) expect(unusableAudioReason(type, ok)).toBeNull();
    expect(unusableAudioReason("mp3", { ...ok, bitDepth: null })).toBeNull();
    expect(unusableAudioReason("wav", { ...ok, sampleRate: AUDIO_LIMITS.minSampleRate })).toBeNull();
    expect(unusableAudioReason("wav", { ...ok, sampleRate: AUDIO_LIMITS.maxSampleRate })).toBeNull();
    expect(unusableAudioReason("flac", { ...ok, bitDepth: 20 })).toBeNull();
  });

  it("names what is wrong: rate, channels, depth, length", () => {
    expect(unusableAudioReason("wav", { ...ok, sampleRate: 4_294_967_295 })).toMatch(/4294967295 Hz/);
    expect(unusableAudioReason("wav", { ...ok, sampleRate: 7_999 })).toMatch(/7999 Hz/);
    expect(unusableAudioReason("wav", { ...ok, channels: 65_535 })).toMatch(/65535 channels/);
    expect(unusableAudioReason("wav", { ...ok, channels: 0 })).toMatch(/0 channels/);
    expect(unusableAudioReason("wav", { ...ok, bitDepth: 7 })).toMatch(/7 bits per sample/);
    expect(unusableAudioReason("aiff", { ...ok, bitDepth: 12 })).toMatch(/12 bits per sample/);
    expect(unusableAudioReason("flac", { ...ok, bitDepth: 33 })).toMatch(/33 bits per sample/);
    expect(unusableAudioReason("wav", { ...ok, durationMs: null })).toMatch(/length/);
    expect(unusableAudioReason("wav", { ...ok, durationMs: 0 })).toMatch(/no audio/);
  });
});
