import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runFfmpeg } from "./run-ffmpeg.ts";
import type { TitleCard } from "./title-card.ts";

/** DejaVu from Debian's fonts-dejavu-core (installed by .ci/run); fontconfig's default otherwise. */
export const DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
export const DEFAULT_BOLD_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

export interface VideoSegment {
  card: TitleCard;
  /** How long the card shows, seconds (its segment plus the gap after it). */
  seconds: number;
}

export interface RenderVideoOptions {
  ffmpegPath: string;
  /** The joined audio as a WAV file's bytes. */
  audioWav: Uint8Array;
  segments: VideoSegment[];
  fontFile?: string;
  boldFontFile?: string;
  signal?: AbortSignal;
}

const W = 1920;
const H = 1080;
const BACKGROUND = "0x15191f";

/** One drawtext filter; the text comes from a file, so nothing in it needs escaping. */
function drawtext(
  font: string | null,
  textFile: string,
  size: number,
  color: string,
  x: string,
  y: string,
): string {
  const parts = [
    font ? `fontfile=${font}` : "font=Sans",
    `textfile=${textFile}`,
    "expansion=none",
    `fontsize=${size}`,
    `fontcolor=${color}`,
    `x=${x}`,
    `y=${y}`,
  ];
  return `drawtext=${parts.join(":")}`;
}

async function renderCard(
  dir: string,
  index: number,
  card: TitleCard,
  fonts: { regular: string | null; bold: string | null },
  ffmpegPath: string,
  signal?: AbortSignal,
): Promise<string> {
  const file = (name: string) => path.join(dir, `c${index}-${name}.txt`);
  const texts: [string, string][] = [
    [file("heading"), card.heading],
    [file("title"), card.title],
    [file("footer"), card.footer],
    ...card.lines.map((line, i): [string, string] => [file(`line${i}`), line]),
  ];
  await Promise.all(texts.map(([f, text]) => writeFile(f, text)));
  const filters = [
    drawtext(fonts.regular, file("heading"), 48, "0x9aa4b2", "(w-text_w)/2", "150"),
    drawtext(fonts.bold, file("title"), 120, "white", "(w-text_w)/2", "330"),
    ...card.lines.map((_, i) =>
      drawtext(fonts.regular, file(`line${i}`), 46, "0xd0d6de", "(w-text_w)/2", String(560 + i * 80)),
    ),
    drawtext(fonts.regular, file("footer"), 40, "0x6b7686", "w-text_w-60", "h-100"),
  ];
  const out = path.join(dir, `card${index}.png`);
  await runFfmpeg(
    ffmpegPath,
    [
      "-f",
      "lavfi",
      "-i",
      `color=c=${BACKGROUND}:s=${W}x${H}:d=1`,
      "-vf",
      filters.join(","),
      "-frames:v",
      "1",
      out,
    ],
    signal,
  );
  return out;
}

/**
 * The MP4: 1920×1080 H.264 of still title cards (one per segment, shown for the segment and the
 * gap after it) over the joined audio as AAC 48 kHz. Cheap to encode: the cards are PNGs drawn by
 * ffmpeg's drawtext, then played by the concat demuxer at 1 frame per second with x264's
 * `veryfast` preset tuned for still images; the card changes land on whole frames, the audio
 * keeps exact time.
 */
export async function renderVideo(options: RenderVideoOptions): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), "shootout-video-"));
  try {
    const pick = (f: string | undefined, d: string) => f ?? (existsSync(d) ? d : null);
    const fonts = {
      regular: pick(options.fontFile, DEFAULT_FONT_FILE),
      bold: pick(options.boldFontFile, DEFAULT_BOLD_FONT_FILE),
    };
    const cards = await Promise.all(
      options.segments.map((s, i) => renderCard(dir, i, s.card, fonts, options.ffmpegPath, options.signal)),
    );
    const list = [
      "ffconcat version 1.0",
      ...cards.flatMap((card, i) => [
        `file '${card}'`,
        `duration ${options.segments[i]!.seconds.toFixed(3)}`,
      ]),
      // The demuxer applies the last duration only when another entry follows it.
      `file '${cards[cards.length - 1]}'`,
    ].join("\n");
    const listFile = path.join(dir, "cards.ffconcat");
    const audioFile = path.join(dir, "audio.wav");
    const out = path.join(dir, "shootout.mp4");
    await writeFile(listFile, list);
    await writeFile(audioFile, options.audioWav);
    await runFfmpeg(
      options.ffmpegPath,
      [
        ...["-f", "concat", "-safe", "0", "-i", listFile, "-i", audioFile],
        ...["-map", "0:v:0", "-map", "1:a:0"],
        ...["-vf", "fps=1,format=yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage"],
        ...["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"],
        ...["-movflags", "+faststart", out],
      ],
      options.signal,
    );
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
