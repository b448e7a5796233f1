import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AudioError } from "../errors.ts";
import type { DecodedAudio } from "./types.ts";
import { decodeWav } from "./wav.ts";

/** `FFMPEG_PATH` if set, else `ffmpeg` from PATH. */
export function ffmpegCommand(): string {
  return process.env.FFMPEG_PATH || "ffmpeg";
}

const available = new Map<string, Promise<boolean>>();

/** Whether ffmpeg can be run here (cached per command). MP3 decoding is the only thing that needs it. */
export function hasFfmpeg(): Promise<boolean> {
  const cmd = ffmpegCommand();
  let p = available.get(cmd);
  if (!p) {
    p = new Promise((resolve) => {
      const child = spawn(cmd, ["-version"], { stdio: "ignore" });
      child.on("error", () => resolve(false));
      child.on("close", (code) => resolve(code === 0));
    });
    available.set(cmd, p);
  }
  return p;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegCommand(), args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on("error", (cause: NodeJS.ErrnoException) => {
      reject(
        cause.code === "ENOENT"
          ? new AudioError("FFMPEG_UNAVAILABLE", "decoding MP3 needs ffmpeg, which is not installed", {
              cause,
            })
          : new AudioError("FFMPEG_FAILED", `cannot run ffmpeg: ${cause.message}`, { cause }),
      );
    });
    child.on("close", (code) => {
      if (code === 0) resolve();
      else {
        const last = stderr.trim().split("\n").slice(-1)[0] ?? "";
        reject(new AudioError("MALFORMED_AUDIO", `ffmpeg could not decode the file: ${last}`));
      }
    });
  });
}

/**
 * Decode anything ffmpeg reads (used for MP3) to 32-bit float WAV in a temporary directory, then
 * read that with the WAV decoder. A file (not a pipe) lets ffmpeg write correct chunk sizes.
 */
export async function decodeWithFfmpeg(
  bytes: Uint8Array,
  format: DecodedAudio["format"],
): Promise<DecodedAudio> {
  if (!(await hasFfmpeg())) {
    throw new AudioError(
      "FFMPEG_UNAVAILABLE",
      `decoding ${format.toUpperCase()} needs ffmpeg, which is not installed`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), "shootout-audio-"));
  try {
    const inPath = path.join(dir, `in.${format}`);
    const outPath = path.join(dir, "out.wav");
    await writeFile(inPath, bytes);
    await run(["-nostdin", "-v", "error", "-i", inPath, "-vn", "-c:a", "pcm_f32le", "-f", "wav", outPath]);
    const decoded = decodeWav(await readFile(outPath));
    return { ...decoded, format, bitDepth: null, sampleFormat: "compressed" };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
