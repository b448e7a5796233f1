/**
 * A short DI-like recording: 16-bit mono PCM WAV of plucked notes (decaying harmonics), so a render
 * has something guitar-shaped to work on and the result is audible.
 */
export function diWav(seconds = 1.5, sampleRate = 48_000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  const notes = [82.41, 110, 146.83];
  const noteLength = Math.floor(samples / notes.length);
  for (let i = 0; i < samples; i++) {
    const note = notes[Math.min(notes.length - 1, Math.floor(i / noteLength))]!;
    const t = (i % noteLength) / sampleRate;
    const envelope = Math.exp(-t * 3);
    let value = 0;
    for (let harmonic = 1; harmonic <= 4; harmonic++) {
      value += Math.sin(2 * Math.PI * note * harmonic * t) / harmonic;
    }
    data.writeInt16LE(Math.round(value * envelope * 0.3 * 32767 * 0.5), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
