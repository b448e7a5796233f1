/** Tiny but well-formed audio files, built byte by byte (no fixtures to drift from the sniffer). */

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** 16-bit mono PCM WAV with `samples` samples of a ramp. */
export function wavBytes(samples = 64, sampleRate = 48_000): Uint8Array {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE((i * 997) % 32_000, i * 2);
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "ascii");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(sampleRate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write("data", 0, "ascii");
  dataHeader.writeUInt32LE(data.length, 4);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "ascii");
  riff.writeUInt32LE(4 + fmt.length + dataHeader.length + data.length, 4);
  riff.write("WAVE", 8, "ascii");
  return concat(riff, fmt, dataHeader, data);
}

/**
 * A PCM WAV declaring whatever its header is told to (rate, channels, bits), with `dataBytes` of
 * zeros as its data chunk, or no data chunk at all (`dataBytes: null`): what a hostile or broken
 * writer sends. The fields are written as declared, however absurd.
 */
export function declaredWavBytes(header: {
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  dataBytes?: number | null;
}): Uint8Array {
  const sampleRate = header.sampleRate ?? 48_000;
  const channels = header.channels ?? 1;
  const bits = header.bitsPerSample ?? 16;
  const blockAlign = channels * Math.ceil(bits / 8);
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "ascii");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE((sampleRate * blockAlign) % 2 ** 32, 16);
  fmt.writeUInt16LE(blockAlign % 2 ** 16, 20);
  fmt.writeUInt16LE(bits, 22);
  const parts = [fmt];
  const dataBytes = header.dataBytes === undefined ? blockAlign * 480 : header.dataBytes;
  if (dataBytes !== null) {
    const data = Buffer.alloc(8 + dataBytes);
    data.write("data", 0, "ascii");
    data.writeUInt32LE(dataBytes, 4);
    for (let i = 8; i < data.length; i++) data[i] = (i * 37) & 0xff;
    parts.push(data);
  }
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "ascii");
  riff.writeUInt32LE(4 + parts.reduce((n, p) => n + p.length, 0), 4);
  riff.write("WAVE", 8, "ascii");
  return concat(riff, ...parts);
}

/**
 * The same audio as RF64 (the 64-bit WAV of broadcast recorders): sizes in a ds64 chunk, the
 * 32-bit ones set to 0xFFFFFFFF. The upload's header probe does not read it; the decoder does.
 */
export function rf64Bytes(samples = 64, sampleRate = 48_000): Uint8Array {
  const wav = Buffer.from(wavBytes(samples, sampleRate));
  const fmtAndData = wav.subarray(12); // fmt chunk, then the data chunk
  const dataBytes = samples * 2;
  const ds64 = Buffer.alloc(36);
  ds64.write("ds64", 0, "ascii");
  ds64.writeUInt32LE(28, 4);
  ds64.writeBigUInt64LE(BigInt(4 + ds64.length + fmtAndData.length), 8); // RIFF size
  ds64.writeBigUInt64LE(BigInt(dataBytes), 16); // data size
  ds64.writeBigUInt64LE(BigInt(samples), 24); // sample count
  ds64.writeUInt32LE(0, 32); // no table
  const body = Buffer.from(fmtAndData);
  body.writeUInt32LE(0xffffffff, 24 + 4); // the data chunk's own size: see ds64
  const head = Buffer.alloc(12);
  head.write("RF64", 0, "ascii");
  head.writeUInt32LE(0xffffffff, 4);
  head.write("WAVE", 8, "ascii");
  return concat(head, ds64, body);
}

/** 16-bit mono AIFF (COMM + SSND). */
export function aiffBytes(samples = 32): Uint8Array {
  const comm = Buffer.alloc(26);
  comm.write("COMM", 0, "ascii");
  comm.writeUInt32BE(18, 4);
  comm.writeUInt16BE(1, 8); // channels
  comm.writeUInt32BE(samples, 10);
  comm.writeUInt16BE(16, 14);
  // 48000 as an 80-bit IEEE extended float.
  Buffer.from([0x40, 0x0e, 0xbb, 0x80, 0, 0, 0, 0, 0, 0]).copy(comm, 16);
  const ssnd = Buffer.alloc(16 + samples * 2);
  ssnd.write("SSND", 0, "ascii");
  ssnd.writeUInt32BE(8 + samples * 2, 4);
  for (let i = 0; i < samples; i++) ssnd.writeInt16BE(i * 100, 16 + i * 2);
  const form = Buffer.alloc(12);
  form.write("FORM", 0, "ascii");
  form.writeUInt32BE(4 + comm.length + ssnd.length, 4);
  form.write("AIFF", 8, "ascii");
  return concat(form, comm, ssnd);
}

/** `fLaC` + a STREAMINFO metadata block (last-block flag set) and no audio frames: recognised, not playable. */
export function flacBytes(): Uint8Array {
  const header = Uint8Array.from([0x80, 0x00, 0x00, 0x22]); // last block, type 0, length 34
  const streamInfo = new Uint8Array(34);
  streamInfo.set([0x10, 0x00, 0x10, 0x00], 0); // min/max block size 4096
  streamInfo.set([0x0b, 0xb8, 0x00, 0xf0], 10); // 48000 Hz, mono, 16 bit (packed)
  return concat(ascii("fLaC"), header, streamInfo);
}

/**
 * `frames` MPEG-1 Layer III frames of digital silence (32 kb/s, 44.1 kHz, joint stereo): each a
 * header and all-zero side info, which every decoder plays as 1152 silent samples. 20 frames are
 * 2080 bytes and 522 ms.
 */
export function mp3Bytes(frames = 20): Uint8Array {
  const frame = new Uint8Array(104); // 144 * 32000 / 44100, no padding
  frame.set([0xff, 0xfb, 0x10, 0x64], 0);
  return concat(...Array.from({ length: frames }, () => frame));
}

/** An ID3v2 tag before the MP3 frame, as most MP3 files have. */
export function id3Mp3Bytes(): Uint8Array {
  const tag = Uint8Array.from([...ascii("ID3"), 4, 0, 0, 0, 0, 0, 0]); // v2.4, empty tag
  return concat(tag, mp3Bytes());
}
