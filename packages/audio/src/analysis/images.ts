import { createRequire } from "node:module";
import { averagePowerSpectrum } from "./spectrum.ts";

type PngEncode = typeof import("fast-png").encode;
let pngEncode: PngEncode | null = null;
/** fast-png (~35 ms to import) is loaded on the first picture, not with the package. */
function encode(...args: Parameters<PngEncode>): ReturnType<PngEncode> {
  pngEncode ??= (createRequire(import.meta.url)("fast-png") as typeof import("fast-png")).encode;
  return pngEncode(...args);
}

/**
 * Small PNG pictures of a tone for the comparison page: a min/max waveform and a long-term
 * spectrum (log frequency 20 Hz - 20 kHz, 70 dB range). RGB, light background.
 */
export interface ImageOptions {
  width?: number;
  height?: number;
  /** RGB of the trace (default a dark blue). */
  color?: [number, number, number];
}

const BG: [number, number, number] = [250, 250, 250];
const GRID: [number, number, number] = [220, 220, 220];

function canvas(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(BG, i * 3);
  const put = (x: number, y: number, c: [number, number, number]) => {
    if (x >= 0 && x < width && y >= 0 && y < height) data.set(c, (y * width + x) * 3);
  };
  const vline = (x: number, y0: number, y1: number, c: [number, number, number]) => {
    for (let y = Math.max(0, Math.min(y0, y1)); y <= Math.min(height - 1, Math.max(y0, y1)); y++)
      put(x, y, c);
  };
  const png = () => encode({ width, height, data, channels: 3, depth: 8 });
  return { put, vline, png };
}

export function waveformPng(samples: Float32Array, options: ImageOptions = {}): Uint8Array {
  const width = options.width ?? 800;
  const height = options.height ?? 160;
  const color = options.color ?? [30, 70, 160];
  const c = canvas(width, height);
  const mid = Math.floor(height / 2);
  for (let x = 0; x < width; x++) c.put(x, mid, GRID);
  const per = samples.length / width;
  for (let x = 0; x < width; x++) {
    const a = Math.floor(x * per);
    const b = Math.max(a + 1, Math.floor((x + 1) * per));
    let lo = 0;
    let hi = 0;
    for (let i = a; i < Math.min(b, samples.length); i++) {
      const v = samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const y = (v: number) => Math.round(mid - Math.max(-1, Math.min(1, v)) * (mid - 1));
    if (a < samples.length) c.vline(x, y(hi), y(lo), color);
  }
  return c.png();
}

export function spectrumPng(
  samples: Float32Array,
  sampleRate: number,
  options: ImageOptions = {},
): Uint8Array {
  const width = options.width ?? 800;
  const height = options.height ?? 200;
  const color = options.color ?? [30, 70, 160];
  const c = canvas(width, height);
  const { power, binHz } = averagePowerSpectrum(samples, sampleRate);
  const fLo = Math.log10(20);
  const fHi = Math.log10(Math.min(20_000, sampleRate / 2));
  const fAt = (x: number) => 10 ** (fLo + ((fHi - fLo) * x) / (width - 1));
  for (const f of [100, 1000, 10_000]) {
    const x = Math.round(((Math.log10(f) - fLo) / (fHi - fLo)) * (width - 1));
    c.vline(x, 0, height - 1, GRID);
  }
  let peak = 0;
  for (const p of power) peak = Math.max(peak, p);
  const range = 70;
  let prevY: number | null = null;
  for (let x = 0; x < width; x++) {
    // Average the bins that fall in this pixel column (at least the nearest one).
    const k0 = Math.floor(fAt(x - 0.5) / binHz);
    const k1 = Math.max(k0 + 1, Math.ceil(fAt(x + 0.5) / binHz));
    let s = 0;
    let n = 0;
    for (let k = Math.max(0, k0); k < Math.min(power.length, k1); k++) {
      s += power[k]!;
      n++;
    }
    const db = peak > 0 && s > 0 ? 10 * Math.log10(s / n / peak) : -range;
    const y = Math.round(Math.min(1, -db / range) * (height - 1));
    c.vline(x, prevY ?? y, y, color);
    prevY = y;
  }
  return c.png();
}
