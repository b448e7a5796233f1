import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import wavefile from "wavefile";
import {
  AudioError,
  decodeAudio,
  decodeWav,
  encodeFlac,
  encodeWav,
  prepareInput,
  resample,
  sniffAudioType,
} from "../src/index.ts";
import { buildAiff, buildWav, testSignal } from "./helpers/fixtures.ts";

/** The real cabinet IRs the Tone 3000 stand-in serves (copies of shared/ir-reference). */
const IR_REFERENCE = path.resolve(import.meta.dirname, "../../tone3000/catalog/irs");

const SR = 44_100;
const mono = [testSignal(5000, SR, 3)];
const stereo = [testSignal(5000, SR, 4), testSignal(5000, SR, 5)];

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectAudioError(p: Promise<unknown> | (() => unknown), code: string) {
  const run = typeof p === "function" ? Promise.resolve().then(p) : p;
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioError);
  expect((err as AudioError).code).toBe(code);
}

describe("sniffAudioType", () => {
  it("recognises each container and rejects others", async () => {
    expect(sniffAudioType(encodeWav(mono, SR))).toBe("wav");
    expect(sniffAudioType(await encodeFlac(mono, SR))).toBe("flac");
    expect(sniffAudioType(buildAiff(mono, SR, 16))).toBe("aiff");
    expect(sniffAudioType(buildAiff(mono, SR, 32, true))).toBe("aiff");
    expect(sniffAudioType(Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0]))).toBe("mp3");
    const id3 = new Uint8Array(30);
    id3.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 4]);
    id3.set([0xff, 0xfb, 0x90, 0x64], 14);
    expect(sniffAudioType(id3)).toBe("mp3");
    expect(sniffAudioType(new TextEncoder().encode('{"version":"0.5"}'))).toBeNull();
    expect(sniffAudioType(new Uint8Array(0))).toBeNull();
    expect(sniffAudioType(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toBeNull(); // reserved bits
  });
});

describe("WAV", () => {
  it("reads an odd-sized data chunk followed by its RIFF pad byte (a real 44.1 kHz cab IR)", () => {
    // 3 frames of 24-bit mono = 9 bytes, then the pad byte RIFF puts after an odd-sized chunk.
    const header = (size: number) => {
      const b = new Uint8Array(44);
      const v = new DataView(b.buffer);
      b.set(new TextEncoder().encode("RIFF"), 0);
      v.setUint32(4, 36 + size + 1, true);
      b.set(new TextEncoder().encode("WAVEfmt "), 8);
      v.setUint32(16, 16, true);
      v.setUint16(20, 1, true);
      v.setUint16(22, 1, true);
      v.setUint32(24, 44_100, true);
      v.setUint32(28, 44_100 * 3, true);
      v.setUint16(32, 3, true);
      v.setUint16(34, 24, true);
      b.set(new TextEncoder().encode("data"), 36);
      v.setUint32(40, size, true);
      return b;
    };
    const payload = [0x00, 0x00, 0x40, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00];
    const bytes = new Uint8Array([...header(9), ...payload]);
    const decoded = decodeWav(bytes);
    expect(decoded.sampleRate).toBe(44_100);
    expect([...decoded.channels[0]!]).toEqual([0.5, -0.5, 0]);
    const real = decodeWav(readFileSync(path.join(IR_REFERENCE, "eminence.wav")));
    expect([real.sampleRate, real.channels[0]!.length]).toEqual([44_100, 8819]);
  });

  it.each([
    ["pcm16", 16, 2 ** -15],
    ["pcm24", 24, 2 ** -23],
    ["float32", 32, 1e-7],
  ] as const)("encode %s and decode back, mono and stereo", (encoding, bits, tol) => {
    for (const channels of [mono, stereo]) {
      const d = decodeWav(encodeWav(channels, SR, encoding));
      expect(d.sampleRate).toBe(SR);
      expect(d.bitDepth).toBe(bits);
      expect(d.channels.length).toBe(channels.length);
      channels.forEach((c, i) => {
        expect(maxDiff(d.channels[i]!, c)).toBeLessThanOrEqual(tol);
      });
    }
  });

  it.each([
    [8, false, false, 1 / 128],
    [16, false, true, 2 ** -15],
    [24, false, true, 2 ** -23],
    [32, false, false, 2 ** -31 + 1e-7],
    [32, false, true, 2 ** -31 + 1e-7],
    [32, true, false, 0],
    [32, true, true, 0],
    [64, true, false, 0],
    [64, true, true, 0],
  ] as const)("decodes %i-bit float=%s extensible=%s", (bits, float, ext, tol) => {
    const d = decodeWav(buildWav(stereo, 48_000, bits, float, ext));
    expect(d.sampleFormat).toBe(float ? "float" : "int");
    expect(d.sampleRate).toBe(48_000);
    stereo.forEach((c, i) => {
      expect(maxDiff(d.channels[i]!, c)).toBeLessThanOrEqual(tol);
    });
  });

  it("decodes big-endian RIFX files", () => {
    for (const encoding of ["pcm16", "pcm24", "float32"] as const) {
      const w = new wavefile.WaveFile(encodeWav(stereo, SR, encoding));
      w.toRIFX();
      const d = decodeWav(w.toBuffer());
      stereo.forEach((c, i) => {
        expect(maxDiff(d.channels[i]!, c)).toBeLessThanOrEqual(encoding === "pcm16" ? 2 ** -15 : 2 ** -23);
      });
    }
  });

  it("clips out-of-range samples instead of wrapping", () => {
    const d = decodeWav(encodeWav(Float32Array.from([1.5, -1.5, 1, -1]), SR, "pcm24"));
    expect(Array.from(d.channels[0]!)).toEqual([1 - 2 ** -23, -1, 1 - 2 ** -23, -1]);
  });

  it("rejects truncated files and wrong chunk sizes with typed errors", async () => {
    const good = encodeWav(mono, SR, "pcm24");
    await expectAudioError(() => decodeWav(good.subarray(0, good.length - 100)), "MALFORMED_AUDIO");
    await expectAudioError(() => decodeWav(good.subarray(0, 30)), "MALFORMED_AUDIO");
    const wrongSize = good.slice();
    new DataView(wrongSize.buffer).setUint32(40, 0x7fffffff, true);
    await expectAudioError(() => decodeWav(wrongSize), "MALFORMED_AUDIO");
    const badAlign = good.slice();
    new DataView(badAlign.buffer).setUint16(32, 5, true);
    await expectAudioError(() => decodeWav(badAlign), "MALFORMED_AUDIO");
    const adpcm = good.slice();
    new DataView(adpcm.buffer).setUint16(20, 2, true);
    await expectAudioError(() => decodeWav(adpcm), "UNSUPPORTED_FORMAT");
    await expectAudioError(decodeAudio(new Uint8Array(1000)), "UNSUPPORTED_FORMAT");
  });
});

describe("FLAC", () => {
  it.each([16, 24] as const)("%i-bit round trip, mono and stereo", async (bits) => {
    for (const channels of [mono, stereo]) {
      const d = await decodeAudio(await encodeFlac(channels, SR, { bitDepth: bits }));
      expect(d.format).toBe("flac");
      expect(d.sampleRate).toBe(SR);
      expect(d.bitDepth).toBe(bits);
      channels.forEach((c, i) => {
        expect(maxDiff(d.channels[i]!, c)).toBeLessThanOrEqual(2 ** -bits);
      });
    }
  });

  it("rejects truncated and corrupted streams", async () => {
    const good = await encodeFlac(stereo, SR);
    await expectAudioError(decodeAudio(good.subarray(0, good.length - 300)), "MALFORMED_AUDIO");
    await expectAudioError(decodeAudio(good.subarray(0, 20)), "MALFORMED_AUDIO");
    const bad = good.slice();
    for (let i = 300; i < 600; i++) bad[i] = (i * 37) & 0xff;
    await expectAudioError(decodeAudio(bad), "MALFORMED_AUDIO");
  });
});

describe("AIFF", () => {
  it.each([
    [16, false, 2 ** -15],
    [24, false, 2 ** -23],
    [32, true, 0],
  ] as const)("decodes %i-bit (float=%s)", async (bits, float, tol) => {
    const d = await decodeAudio(buildAiff(stereo, SR, bits, float));
    expect(d.format).toBe("aiff");
    expect(d.sampleRate).toBe(SR);
    stereo.forEach((c, i) => {
      expect(maxDiff(d.channels[i]!, c)).toBeLessThanOrEqual(tol + 1e-9);
    });
  });

  it("rejects a truncated header", async () => {
    await expectAudioError(decodeAudio(buildAiff(mono, SR, 16).subarray(0, 24)), "MALFORMED_AUDIO");
  });
});

describe("MP3 through ffmpeg", () => {
  const saved = process.env.FFMPEG_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = saved;
  });
  const haveFfmpeg = spawnSync("ffmpeg", ["-version"]).status === 0;

  it.skipIf(!haveFfmpeg)("decodes an MP3 made by ffmpeg", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "audio-test-"));
    try {
      const tone = new Float32Array(SR).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / SR));
      writeFileSync(path.join(dir, "in.wav"), encodeWav(tone, SR, "pcm16"));
      const r = spawnSync("ffmpeg", ["-v", "error", "-i", path.join(dir, "in.wav"), path.join(dir, "o.mp3")]);
      expect(r.status).toBe(0);
      const d = await decodeAudio(readFileSync(path.join(dir, "o.mp3")));
      expect(d.format).toBe("mp3");
      expect(d.sampleRate).toBe(SR);
      // MP3 adds encoder delay/padding: about the same length and level.
      expect(Math.abs(d.channels[0]!.length - SR)).toBeLessThan(3000);
      let ss = 0;
      for (const v of d.channels[0]!) ss += v * v;
      expect(Math.sqrt(ss / d.channels[0]!.length)).toBeCloseTo(0.5 / Math.SQRT2, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives FFMPEG_UNAVAILABLE when ffmpeg is missing", async () => {
    process.env.FFMPEG_PATH = "/nonexistent/ffmpeg";
    await expectAudioError(
      decodeAudio(Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0])),
      "FFMPEG_UNAVAILABLE",
    );
  });
});

describe("resampling (libsamplerate, best quality)", () => {
  function sineAmplitude(x: Float32Array, freq: number, rate: number): number {
    // Project onto sin/cos over the middle (edges excluded), which ignores other frequencies.
    let s = 0;
    let c = 0;
    const a = Math.floor(x.length / 4);
    const b = Math.floor((3 * x.length) / 4);
    for (let i = a; i < b; i++) {
      s += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
      c += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
    }
    return (2 * Math.hypot(s, c)) / (b - a);
  }
  const sine = (freq: number, rate: number, n: number) =>
    new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / rate));

  it("passes the band flat (44.1 kHz -> 48 kHz, up to 20 kHz) with the exact length", async () => {
    for (const f of [100, 1000, 10_000, 20_000]) {
      const y = await resample(sine(f, 44_100, 44_100), 44_100, 48_000);
      expect(y.length).toBe(48_000);
      const db = 20 * Math.log10(sineAmplitude(y, f, 48_000) / 0.5);
      expect(Math.abs(db)).toBeLessThan(0.1);
    }
  });

  it("removes what lies above the new Nyquist (96 kHz -> 48 kHz)", async () => {
    const y = await resample(sine(30_000, 96_000, 96_000), 96_000, 48_000);
    expect(y.length).toBe(48_000);
    let peak = 0;
    for (let i = 2000; i < y.length - 2000; i++) peak = Math.max(peak, Math.abs(y[i]!));
    expect(20 * Math.log10(peak / 0.5)).toBeLessThan(-90);
    const pass = await resample(sine(1000, 96_000, 96_000), 96_000, 48_000);
    expect(sineAmplitude(pass, 1000, 48_000)).toBeCloseTo(0.5, 2);
  });

  it("keeps time alignment", async () => {
    const x = new Float32Array(44_100);
    x[10_000] = 1;
    const y = await resample(x, 44_100, 48_000);
    let arg = 0;
    for (let i = 0; i < y.length; i++) if (Math.abs(y[i]!) > Math.abs(y[arg]!)) arg = i;
    expect(Math.abs(arg - (10_000 * 48_000) / 44_100)).toBeLessThanOrEqual(1);
  });
});

describe("prepareInput", () => {
  it("sums stereo to mono, resamples to 48 kHz and says so", async () => {
    const left = sine(0.5);
    const right = sine(0.25);
    function sine(a: number) {
      return new Float32Array(SR).map((_, i) => a * Math.sin((2 * Math.PI * 500 * i) / SR));
    }
    const p = await prepareInput(encodeWav([left, right], SR, "float32"));
    expect(p.sampleRate).toBe(48_000);
    expect(p.samples.length).toBe(48_000);
    expect(p.source).toMatchObject({ format: "wav", sampleRate: SR, channels: 2 });
    expect(p.notes.join(" ")).toMatch(/summed to mono/);
    expect(p.notes.join(" ")).toMatch(/resampled from 44100/);
    let peak = 0;
    for (let i = 1000; i < 47_000; i++) peak = Math.max(peak, Math.abs(p.samples[i]!));
    expect(peak).toBeCloseTo(0.375, 2);
  });
});
