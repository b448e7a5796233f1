import { encodeWav } from "@shootout/audio";

/**
 * A short DI-like recording: 16-bit mono PCM WAV of plucked notes (decaying harmonics), so a render
 * has something guitar-shaped to work on and the result is audible.
 */
export function diWav(seconds = 1.5, sampleRate = 48_000): Buffer {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  const notes = [82.41, 110, 146.83];
  const noteLength = Math.floor(samples.length / notes.length);
  for (let i = 0; i < samples.length; i++) {
    const note = notes[Math.min(notes.length - 1, Math.floor(i / noteLength))]!;
    const t = (i % noteLength) / sampleRate;
    let value = 0;
    for (let harmonic = 1; harmonic <= 4; harmonic++) {
      value += Math.sin(2 * Math.PI * note * harmonic * t) / harmonic;
    }
    samples[i] = value * Math.exp(-t * 3) * 0.15;
  }
  return Buffer.from(encodeWav(samples, sampleRate, "pcm16"));
}
