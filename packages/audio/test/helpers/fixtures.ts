/**
 * Test-only builders for file headers our encoders do not write (WAVE_FORMAT_EXTENSIBLE, AIFF),
 * so the decoders can be exercised without external tools.
 */

function ascii(view: DataView, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
}

/** Interleave float channels into little-endian PCM/float payload bytes. */
export function packLE(channels: Float32Array[], bits: number, float: boolean): Uint8Array {
  const n = channels[0]!.length;
  const w = bits / 8;
  const out = new Uint8Array(n * channels.length * w);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels.length; c++) {
      const x = channels[c]![i]!;
      const at = (i * channels.length + c) * w;
      if (float) {
        if (bits === 32) v.setFloat32(at, x, true);
        else v.setFloat64(at, x, true);
      } else {
        const full = 2 ** (bits - 1);
        const q = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
        if (bits === 8) v.setUint8(at, q + 128);
        else if (bits === 16) v.setInt16(at, q, true);
        else if (bits === 24) {
          v.setUint8(at, q & 0xff);
          v.setUint8(at + 1, (q >> 8) & 0xff);
          v.setInt8(at + 2, q >> 16);
        } else v.setInt32(at, q, true);
      }
    }
  }
  return out;
}

export function buildWav(
  channels: Float32Array[],
  sampleRate: number,
  bits: number,
  float: boolean,
  extensible: boolean,
): Uint8Array {
  const payload = packLE(channels, bits, float);
  const fmtSize = extensible ? 40 : 16;
  const total = 12 + 8 + fmtSize + 8 + payload.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  ascii(v, 0, "RIFF");
  v.setUint32(4, total - 8, true);
  ascii(v, 8, "WAVE");
  ascii(v, 12, "fmt ");
  v.setUint32(16, fmtSize, true);
  const tag = float ? 3 : 1;
  v.setUint16(20, extensible ? 0xfffe : tag, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels.length * (bits / 8), true);
  v.setUint16(32, channels.length * (bits / 8), true);
  v.setUint16(34, bits, true);
  if (extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(38, bits, true);
    v.setUint32(40, channels.length === 2 ? 3 : 4, true);
    // KSDATAFORMAT_SUBTYPE GUID {0000000X-0000-0010-8000-00aa00389b71}
    v.setUint32(44, tag, true);
    const rest = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    out.set(rest, 48);
  }
  const dataAt = 20 + fmtSize;
  ascii(v, dataAt, "data");
  v.setUint32(dataAt + 4, payload.length, true);
  out.set(payload, dataAt + 8);
  return out;
}

/** 80-bit IEEE extended, as AIFF stores its sample rate. */
function writeExtended(v: DataView, at: number, value: number): void {
  const exp = Math.floor(Math.log2(value));
  const mant = value / 2 ** exp; // [1, 2)
  v.setUint16(at, 16383 + exp);
  const hi = Math.floor(mant * 2 ** 31);
  const lo = Math.round((mant * 2 ** 31 - hi) * 2 ** 32);
  v.setUint32(at + 2, hi);
  v.setUint32(at + 6, lo);
}

/** AIFF (big-endian PCM 16/24) or AIFF-C with `fl32`. */
export function buildAiff(
  channels: Float32Array[],
  sampleRate: number,
  bits: 16 | 24 | 32,
  float = false,
): Uint8Array {
  const n = channels[0]!.length;
  const w = bits / 8;
  const payload = new Uint8Array(n * channels.length * w);
  const pv = new DataView(payload.buffer);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels.length; c++) {
      const x = channels[c]![i]!;
      const at = (i * channels.length + c) * w;
      if (float) pv.setFloat32(at, x);
      else {
        const full = 2 ** (bits - 1);
        const q = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
        if (bits === 16) pv.setInt16(at, q);
        else if (bits === 24) {
          pv.setInt8(at, q >> 16);
          pv.setUint8(at + 1, (q >> 8) & 0xff);
          pv.setUint8(at + 2, q & 0xff);
        } else pv.setInt32(at, q);
      }
    }
  }
  const aifc = float;
  const commSize = aifc ? 18 + 4 + 2 : 18; // + compression type + empty pascal name (padded)
  const fverSize = aifc ? 12 : 0;
  const total = 12 + fverSize + 8 + commSize + 16 + payload.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  ascii(v, 0, "FORM");
  v.setUint32(4, total - 8);
  ascii(v, 8, aifc ? "AIFC" : "AIFF");
  let at = 12;
  if (aifc) {
    ascii(v, at, "FVER");
    v.setUint32(at + 4, 4);
    v.setUint32(at + 8, 0xa2805140);
    at += 12;
  }
  ascii(v, at, "COMM");
  v.setUint32(at + 4, commSize);
  v.setUint16(at + 8, channels.length);
  v.setUint32(at + 10, n);
  v.setUint16(at + 14, bits);
  writeExtended(v, at + 16, sampleRate);
  if (aifc) {
    ascii(v, at + 26, "fl32");
    v.setUint8(at + 30, 0);
    v.setUint8(at + 31, 0);
  }
  at += 8 + commSize;
  ascii(v, at, "SSND");
  v.setUint32(at + 4, 8 + payload.length);
  v.setUint32(at + 8, 0);
  v.setUint32(at + 12, 0);
  out.set(payload, at + 16);
  return out;
}

/** Deterministic test signal: a few partials plus seeded noise, within ±0.9. */
export function testSignal(n: number, sampleRate: number, seed = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    out[i] =
      0.4 * Math.sin(2 * Math.PI * 220 * t) + 0.25 * Math.sin(2 * Math.PI * 1375 * t + 1) + 0.2 * rnd();
  }
  return out;
}
