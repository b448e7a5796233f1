import { RealFft } from "../dsp/fft.ts";

/**
 * Long-term average power spectrum (Welch): Hann-windowed frames of `size` samples, 50 % overlap,
 * power averaged over frames. Returns power per bin 0..size/2 and the bin width in Hz.
 * A signal shorter than one frame is zero-padded into a single frame.
 */
export function averagePowerSpectrum(
  samples: Float32Array,
  sampleRate: number,
  size = 4096,
): { power: Float64Array; binHz: number } {
  const fft = new RealFft(size);
  const hop = size / 2;
  const win = new Float64Array(size);
  for (let i = 0; i < size; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  const power = new Float64Array(size / 2 + 1);
  const frame = new Float64Array(size);
  const spec = new Float64Array(size + 2);
  let frames = 0;
  const last = Math.max(0, samples.length - size);
  for (let start = 0; start <= last; start += hop) {
    for (let i = 0; i < size; i++) {
      const j = start + i;
      frame[i] = j < samples.length ? samples[j]! * win[i]! : 0;
    }
    fft.forward(frame, spec);
    for (let k = 0; k <= size / 2; k++) power[k]! += spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
    frames++;
  }
  for (let k = 0; k < power.length; k++) power[k]! /= Math.max(1, frames);
  return { power, binHz: sampleRate / size };
}
