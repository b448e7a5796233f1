import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Whether this machine has ffmpeg's ffprobe (the video tests skip without it). */
export const ffprobeAvailable = (() => {
  try {
    execFileSync("ffprobe", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  duration?: string;
}

/** Runs ffprobe on a file path, or on bytes (written to a temporary file first). */
function onFile<T>(media: string | Uint8Array, probe: (file: string) => T): T {
  if (typeof media === "string") return probe(media);
  const dir = mkdtempSync(path.join(os.tmpdir(), "ffprobe-"));
  try {
    const file = path.join(dir, "media.mp4");
    writeFileSync(file, media);
    return probe(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The streams and the container's duration. */
export function probeStreams(media: string | Uint8Array): { streams: ProbedStream[]; duration: number } {
  return onFile(media, (file) => {
    const out = execFileSync("ffprobe", [
      ...["-v", "error", "-of", "json", "-show_entries"],
      ...["stream=codec_type,codec_name,width,height,sample_rate,duration:format=duration", file],
    ]).toString();
    const parsed = JSON.parse(out) as { streams: ProbedStream[]; format: { duration: string } };
    return { streams: parsed.streams, duration: Number(parsed.format.duration) };
  });
}

/** The times of the video's key frames, seconds. */
export function keyFrameSeconds(media: string | Uint8Array): number[] {
  return onFile(media, (file) =>
    execFileSync("ffprobe", [
      ...["-v", "error", "-select_streams", "v", "-skip_frame", "nokey"],
      ...["-show_entries", "frame=pts_time", "-of", "csv=p=0", file],
    ])
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => Number.parseFloat(line)),
  );
}
