import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeWav, encodeWav } from "../src/index.ts";
import { readF32, referenceDir } from "./helpers/reference.ts";

const cli = path.resolve(import.meta.dirname, "../src/cli/main.ts");
const dir = mkdtempSync(path.join(tmpdir(), "audio-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("shootout-audio CLI", () => {
  it("render writes a mono float WAV at the model's rate that matches the reference", async () => {
    const n = 24_000;
    const inPath = path.join(dir, "di.wav");
    writeFileSync(inPath, encodeWav(readF32("input/di_raid_10s_48k.f32").subarray(0, n), 48_000, "float32"));
    const outPath = path.join(dir, "out.wav");
    const r = run(
      "render",
      "--model",
      path.join(referenceDir, "models/lstm.nam"),
      "--in",
      inPath,
      "--out",
      outPath,
    );
    expect(r.code, r.err).toBe(0);
    const out = decodeWav(await readFile(outPath));
    expect(out.sampleFormat).toBe("float");
    expect(out.bitDepth).toBe(32);
    expect(out.sampleRate).toBe(48_000);
    expect(out.channels.length).toBe(1);
    const ref = readF32("output/lstm.di_raid_10s_48k.exact.f32");
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(out.channels[0]![i]! - ref[i]!));
    expect(max).toBeLessThan(1e-4);
  });

  it("loudness prints LUFS and metrics prints JSON", () => {
    const tone = new Float32Array(48_000 * 3).map(
      (_, i) => 10 ** (-23 / 20) * Math.sin((2 * Math.PI * 1000 * i) / 48_000),
    );
    const p = path.join(dir, "tone.wav");
    writeFileSync(p, encodeWav([tone, tone], 48_000, "float32"));
    const l = run("loudness", p);
    expect(l.code).toBe(0);
    expect(Number(l.out.trim())).toBeCloseTo(-23, 1);
    const m = run("metrics", p);
    expect(m.code).toBe(0);
    const json = JSON.parse(m.out) as { lufs: number; peakDb: number; bandRatios: { mid: number } };
    expect(json.lufs).toBeCloseTo(-23, 1);
    expect(json.peakDb).toBeCloseTo(-23, 1);
    expect(json.bandRatios.mid).toBeGreaterThan(0.99);
  });

  it("render --slim picks a size like NAM Core's render; info says what the model is", async () => {
    const n = 24_000;
    const inPath = path.join(dir, "di-a2.wav");
    writeFileSync(inPath, encodeWav(readF32("input/di_raid_10s_48k.f32").subarray(0, n), 48_000, "float32"));
    const a2 = path.join(referenceDir, "models/A2.nam");
    for (const [slim, ref] of [
      ["0", "output/A2.slim0.di_raid_10s_48k.exact.f32"],
      [undefined, "output/A2.di_raid_10s_48k.exact.f32"],
    ] as const) {
      const outPath = path.join(dir, `a2-${slim ?? "full"}.wav`);
      const r = run(
        "render",
        "--model",
        a2,
        "--in",
        inPath,
        "--out",
        outPath,
        ...(slim ? ["--slim", slim] : []),
      );
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(slim ? /at size 0 \(WaveNet 3 ch\)/ : /at size 1 \(WaveNet 8 ch\)/);
      const out = decodeWav(await readFile(outPath)).channels[0]!;
      const expected = readF32(ref);
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(out[i]! - expected[i]!));
      expect(max).toBeLessThan(1e-4);
    }
    const info = run("info", "--model", a2);
    expect(info.code, info.err).toBe(0);
    const json = JSON.parse(info.out) as {
      architecture: string;
      breakpoints: number[];
      sizes: { label: string }[];
    };
    expect(json.architecture).toBe("SlimmableContainer");
    expect(json.breakpoints).toEqual([0.5]);
    expect(json.sizes.map((s) => s.label)).toEqual(["WaveNet 3 ch", "WaveNet 8 ch"]);
    // A size on a model with one size, or out of range, is a usage error.
    const lstm = path.join(referenceDir, "models/lstm.nam");
    for (const args of [
      ["--model", lstm, "--slim", "0"],
      ["--model", a2, "--slim", "1.5"],
      ["--model", a2, "--slim", "half"],
    ]) {
      const r = run("render", ...args, "--in", inPath, "--out", path.join(dir, "x.wav"));
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(/--slim/);
    }
  });

  it("fails cleanly on bad arguments and bad files (message, non-zero, no stack trace)", () => {
    const bad = path.join(dir, "bad.wav");
    writeFileSync(bad, "RIFF....WAVEjunk");
    for (const args of [
      [],
      ["frobnicate"],
      ["render", "--model", "x.nam"],
      ["loudness"],
      ["loudness", bad],
      ["metrics", path.join(dir, "missing.wav")],
      ["render", "--model", path.join(dir, "missing.nam"), "--in", bad, "--out", path.join(dir, "o.wav")],
      ["render", "--bogus"],
    ]) {
      const r = run(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.err).toMatch(/^shootout-audio: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
