/**
 * Text tags written into finished audio files (credits travel with a per-tone file): a WAV gets a
 * LIST/INFO chunk, a FLAC a VORBIS_COMMENT block (any the encoder wrote is replaced). Both are
 * written on the encoded bytes, so the encoders stay as they are.
 */
export interface AudioTags {
  title?: string | null;
  artist?: string | null;
  /** The licences of what the tone uses ("cc-by", "t3k"…). */
  license?: string | null;
  comment?: string | null;
  software?: string | null;
}

const utf8 = new TextEncoder();

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (b: Uint8Array, at: number, text: string) =>
  [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

/** A WAV with a LIST/INFO chunk appended (INAM, IART, ICOP, ICMT, ISFT), the RIFF size updated. */
export function tagWav(wav: Uint8Array, tags: AudioTags): Uint8Array {
  if (!ascii(wav, 0, "RIFF") || !ascii(wav, 8, "WAVE")) throw new Error("not a RIFF WAVE file");
  const fields: [string, string | null | undefined][] = [
    ["INAM", tags.title],
    ["IART", tags.artist],
    ["ICOP", tags.license],
    ["ICMT", tags.comment],
    ["ISFT", tags.software],
  ];
  const subchunks: Uint8Array[] = [];
  for (const [id, value] of fields) {
    if (!value) continue;
    // Zero-terminated, padded to an even size.
    const text = utf8.encode(value);
    const size = text.length + 1;
    subchunks.push(concat([utf8.encode(id), u32le(size), text, new Uint8Array(1 + (size % 2))]));
  }
  if (subchunks.length === 0) return wav;
  const body = concat([utf8.encode("INFO"), ...subchunks]);
  // The file so far must end on an even offset (a pad byte after an odd data chunk).
  const base = wav.length % 2 === 0 ? wav : concat([wav, new Uint8Array(1)]);
  const out = concat([base, utf8.encode("LIST"), u32le(body.length), body]);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

const VORBIS_COMMENT = 4;

/** A FLAC whose VORBIS_COMMENT block holds the tags (TITLE, ARTIST, LICENSE, COMMENT, ENCODER). */
export function tagFlac(flac: Uint8Array, tags: AudioTags): Uint8Array {
  if (!ascii(flac, 0, "fLaC")) throw new Error("not a FLAC file");
  const blocks: { type: number; data: Uint8Array }[] = [];
  let at = 4;
  for (;;) {
    if (at + 4 > flac.length) throw new Error("FLAC metadata runs past the end of the file");
    const header = flac[at]!;
    const length = (flac[at + 1]! << 16) | (flac[at + 2]! << 8) | flac[at + 3]!;
    blocks.push({ type: header & 0x7f, data: flac.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
    if (header & 0x80) break;
  }
  const comments = (
    [
      ["TITLE", tags.title],
      ["ARTIST", tags.artist],
      ["LICENSE", tags.license],
      ["COMMENT", tags.comment],
      ["ENCODER", tags.software],
    ] as const
  ).flatMap(([key, value]) => (value ? [utf8.encode(`${key}=${value}`)] : []));
  const vendor = utf8.encode(tags.software ?? "shootout");
  const comment = concat([
    u32le(vendor.length),
    vendor,
    u32le(comments.length),
    ...comments.flatMap((c) => [u32le(c.length), c]),
  ]);
  if (comment.length >= 1 << 24) throw new Error("tags too long for a FLAC metadata block");
  // STREAMINFO stays first; ours follows it; the encoder's own comment block goes.
  const kept = blocks.filter((b) => b.type !== VORBIS_COMMENT);
  kept.splice(1, 0, { type: VORBIS_COMMENT, data: comment });
  const parts: Uint8Array[] = [utf8.encode("fLaC")];
  kept.forEach((b, i) => {
    const last = i === kept.length - 1 ? 0x80 : 0;
    const n = b.data.length;
    parts.push(new Uint8Array([last | b.type, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]), b.data);
  });
  parts.push(flac.subarray(at));
  return concat(parts);
}
