/**
 * Mono 24-bit PCM WAV, written directly (a separate small writer here rather than the audio
 * package's general `encodeWav`, which goes through wavefile and is ~10x slower on long files;
 * outputs are always mono 24-bit). Rounding and clipping match the audio package's floatToInt:
 * the same samples give the same integers in our FLAC and WAV files.
 */
export function encodeWavPcm24Mono(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 3;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 3, true);
  view.setUint16(32, 3, true);
  view.setUint16(34, 24, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  const full = 8_388_608;
  let at = 44;
  for (let i = 0; i < samples.length; i++) {
    let v = Math.round(samples[i]! * full);
    v = v >= full ? full - 1 : Math.max(v, -full);
    out[at] = v & 0xff;
    out[at + 1] = (v >> 8) & 0xff;
    out[at + 2] = (v >> 16) & 0xff;
    at += 3;
  }
  return out;
}
