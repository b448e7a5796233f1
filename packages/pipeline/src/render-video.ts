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
  // One raw yuv420p frame (YUV4MPEG, 3 MB): the video reads a card once per second of it, and a
  // raw frame costs nothing to decode or convert where a PNG took ~20 ms each time. Its 1000 fps
  // header gives the concat demuxer a millisecond time base, so card changes land on the exact ms.
  const out = path.join(dir, `card${index}.y4m`);
  await runFfmpeg(
    ffmpegPath,
    [
      ...["-f", "lavfi", "-i", `color=c=${BACKGROUND}:s=${W}x${H}:d=1`],
      ...["-vf", [...filters, "format=yuv420p"].join(",")],
      ...["-frames:v", "1", "-r", "1000", "-f", "yuv4mpegpipe", out],
    ],
    signal,
  );
  return out;
}

export interface TitleCards {
  /** Each card as one raw 1920×1080 yuv420p frame (YUV4MPEG), in segment order. */
  readonly files: string[];
  /** Removes the temporary directory. */
  dispose(): Promise<void>;
}

/**
 * Draws the title cards (1920×1080) with ffmpeg's drawtext. They depend on nothing rendered,
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

/** Longest a card's frame lasts: a new frame (the same card) every 2 s keeps players' seek bars live. */
const MAX_FRAME_MS = 2000;

/**
 * The concat list of the card frames: card k from the sum of the durations before it, to the
 * whole millisecond (boundaries from the running total, so rounding never drifts), cut into
 * frames of at most MAX_FRAME_MS. Returns the list and each card's start in ms.
 */
export function cardFrameList(cards: readonly string[], seconds: readonly number[]) {
  const starts: number[] = [];
  const lines = ["ffconcat version 1.0"];
  let total = 0;
  let at = 0;
  for (const [k, card] of cards.entries()) {
    total += seconds[k]!;
    const end = Math.round(total * 1000);
    starts.push(at);
    while (at < end) {
      const frame = Math.min(MAX_FRAME_MS, end - at);
      lines.push(`file '${card}'`, `duration ${(frame / 1000).toFixed(3)}`);
      at += frame;
    }
  }
  // The demuxer applies the last duration only when another entry follows it.
  lines.push(`file '${cards[cards.length - 1]}'`);
  return { list: lines.join("\n"), starts };
}

/**
 * The MP4: 1920×1080 H.264 of still title cards over the joined audio as AAC 48 kHz mono (the
 * shootout is mono). Each card shows for its `seconds`, changing on the exact millisecond (the
 * frames keep the concat list's timestamps: variable frame rate, one frame per ≤ 2 s, a key frame
 * at every card so seeking to a tone shows its card at once). Cheap to encode: x264 `ultrafast`
 * tuned for still images (a text card needs none of the slower presets' tools: ~20 KB per minute);
 * AAC with the fast coder, at half the CPU of the default two-loop search and no worse at 160 kb/s
 * mono (measured on a WaveNet render: SNR against the source 42 dB, two-loop 40 dB). Measured on
 * the 2-core machine, 150 s: x264 1 frame/s 1.2 CPU-s, 1 per 2 s 0.6; AAC two-loop 1.4, fast 0.7
 * (earlier, under load: veryfast 14 s vs ultrafast 4 s; AAC stereo 192k 14 s vs mono 160k 8 s).
 * The audio goes to ffmpeg as raw 32-bit float on its standard input, written as it is made:
 * the pipeline starts the video before the last tone is rendered and feeds segments as they come,
 * so most of the encode overlaps the render.
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
  /** The cards of drawTitleCards, in playing order. */
  cards: string[];
  /** How long each card shows, seconds. */
  seconds: number[];
  sampleRate: number;
  signal?: AbortSignal;
}): Promise<VideoEncode> {
  const dir = await mkdtemp(path.join(tmpdir(), "shootout-video-"));
  const { list, starts } = cardFrameList(options.cards, options.seconds);
  const listFile = path.join(dir, "cards.ffconcat");
  const out = path.join(dir, "shootout.mp4");
  try {
    await writeFile(listFile, list);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const keyFrames = starts.map((ms) => (ms / 1000).toFixed(3)).join(",");
  const ffmpeg = runFfmpegFed(
    options.ffmpegPath,
    [
      ...["-f", "concat", "-safe", "0", "-i", listFile],
      ...["-f", "f32le", "-ar", String(options.sampleRate), "-ac", "1", "-i", "pipe:0"],
      ...["-map", "0:v:0", "-map", "1:a:0", "-fps_mode:v", "passthrough"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-force_key_frames:v", keyFrames],
      ...["-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k", "-ar", "48000", "-ac", "1"],
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
