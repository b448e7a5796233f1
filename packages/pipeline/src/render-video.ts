import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fitTitle } from "./fit-title.ts";
import { runFfmpeg, runFfmpegFed } from "./run-ffmpeg.ts";
import type { TitleCard } from "./title-card.ts";

/** DejaVu from Debian's fonts-dejavu-core (installed by .ci/run); fontconfig's default otherwise. */
export const DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
export const DEFAULT_BOLD_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

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
  const title = fitTitle(card.title);
  const texts: [string, string][] = [
    [file("heading"), card.heading],
    ...title.lines.map((line, i): [string, string] => [file(`title${i}`), line]),
    [file("footer"), card.footer],
    ...card.lines.map((line, i): [string, string] => [file(`line${i}`), line]),
  ];
  await Promise.all(texts.map(([f, text]) => writeFile(f, text)));
  const filters = [
    drawtext(fonts.regular, file("heading"), 48, "0x9aa4b2", "(w-text_w)/2", "150"),
    ...title.lines.map((_, i) =>
      drawtext(
        fonts.bold,
        file(`title${i}`),
        title.fontSize,
        "white",
        "(w-text_w)/2",
        String(330 + Math.round(i * title.fontSize * 1.15)),
      ),
    ),
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

export interface TitleCards {
  /** The PNG of each card, in segment order. */
  readonly files: string[];
  /** Removes the temporary directory. */
  dispose(): Promise<void>;
}

/**
 * Draws the title cards (PNG, 1920×1080) with ffmpeg's drawtext. They depend on nothing rendered,
 * so the pipeline starts them while the tones render.
 */
export async function drawTitleCards(options: {
  ffmpegPath: string;
  cards: TitleCard[];
  fontFile?: string | undefined;
  boldFontFile?: string | undefined;
  signal?: AbortSignal;
}): Promise<TitleCards> {
  const dir = await mkdtemp(path.join(tmpdir(), "shootout-cards-"));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const pick = (f: string | undefined, d: string) => f ?? (existsSync(d) ? d : null);
    const fonts = {
      regular: pick(options.fontFile, DEFAULT_FONT_FILE),
      bold: pick(options.boldFontFile, DEFAULT_BOLD_FONT_FILE),
    };
    const files: string[] = [];
    // Two at a time: they share the machine with the renders.
    for (let i = 0; i < options.cards.length; i += 2) {
      const pair = options.cards.slice(i, i + 2);
      files.push(
        ...(await Promise.all(
          pair.map((card, k) => renderCard(dir, i + k, card, fonts, options.ffmpegPath, options.signal)),
        )),
      );
    }
    return { files, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * The MP4: 1920×1080 H.264 of still title cards (one per segment, shown for the segment and the
 * gap after it) over the joined audio as AAC 48 kHz mono (the shootout is mono). Cheap to encode:
 * the cards are stills played by the concat demuxer at 1 frame per second, x264 `ultrafast` tuned
 * for still images (a text card needs none of the slower presets' tools: ~20 KB per minute);
 * card changes land on whole frames, the audio keeps exact time. Measured on the 2-core machine
 * under load, 150 s: veryfast 14 s vs ultrafast 4 s; AAC stereo 192k 14 s vs mono 160k 8 s.
 * The audio goes to ffmpeg as raw 32-bit float on its standard input, written as it is made:
 * the pipeline starts the video before the last tone is rendered and feeds segments as they come,
 * so most of the AAC encode overlaps the render.
 */
export interface VideoEncode {
  /** Appends mono samples to the soundtrack (at `sampleRate`, in playing order). */
  write(samples: Float32Array): void;
  /** Ends the soundtrack; resolves with the MP4 once ffmpeg is done. */
  finish(): Promise<Uint8Array>;
  /** Stops ffmpeg and removes its files (the render failed or was cancelled). */
  abort(): Promise<void>;
}

export async function startShootoutVideo(options: {
  ffmpegPath: string;
  cards: string[];
  /** How long each card shows, seconds. */
  seconds: number[];
  sampleRate: number;
  signal?: AbortSignal;
}): Promise<VideoEncode> {
  const dir = await mkdtemp(path.join(tmpdir(), "shootout-video-"));
  const list = [
    "ffconcat version 1.0",
    ...options.cards.flatMap((card, i) => [`file '${card}'`, `duration ${options.seconds[i]!.toFixed(3)}`]),
    // The demuxer applies the last duration only when another entry follows it.
    `file '${options.cards[options.cards.length - 1]}'`,
  ].join("\n");
  const listFile = path.join(dir, "cards.ffconcat");
  const out = path.join(dir, "shootout.mp4");
  try {
    await writeFile(listFile, list);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const ffmpeg = runFfmpegFed(
    options.ffmpegPath,
    [
      ...["-f", "concat", "-safe", "0", "-i", listFile],
      ...["-f", "f32le", "-ar", String(options.sampleRate), "-ac", "1", "-i", "pipe:0"],
      ...["-map", "0:v:0", "-map", "1:a:0"],
      // yuv420p before fps: each card is converted once, not once per repeated frame (same
      // bytes out, half the CPU: 150 s of 1080p frames 2.8 -> 1.4 s).
      ...["-vf", "format=yuv420p,fps=1", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage"],
      ...["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "1"],
      ...["-movflags", "+faststart", out],
    ],
    options.signal,
  );
  // Settled by finish() or abort(); until then a failure must not count as unhandled.
  ffmpeg.done.catch(() => {});
  return {
    write(samples) {
      ffmpeg.write(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
    },
    async finish() {
      try {
        ffmpeg.end();
        await ffmpeg.done;
        return new Uint8Array(await readFile(out));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async abort() {
      ffmpeg.kill();
      await ffmpeg.done.catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The MP4 of a whole soundtrack at once (see startShootoutVideo). */
export async function encodeShootoutVideo(options: {
  ffmpegPath: string;
  cards: string[];
  /** How long each card shows, seconds. */
  seconds: number[];
  /** The joined audio, mono, at `sampleRate`. */
  audio: Float32Array;
  sampleRate: number;
  signal?: AbortSignal;
}): Promise<Uint8Array> {
  const video = await startShootoutVideo(options);
  video.write(options.audio);
  return video.finish();
}
