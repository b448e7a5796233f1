import { spawn } from "node:child_process";

export class FfmpegError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FfmpegError";
  }
}

/** Runs ffmpeg with `args`; rejects with its last stderr lines on failure. Killed when `signal` aborts. */
export function runFfmpeg(ffmpegPath: string, args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn(ffmpegPath, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const onAbort = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (cause) => {
      signal?.removeEventListener("abort", onAbort);
      reject(new FfmpegError(`cannot run ffmpeg (${ffmpegPath}): ${cause.message}`, { cause }));
    });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) resolve();
      else
        reject(
          new FfmpegError(`ffmpeg failed (${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`),
        );
    });
  });
}

/** Whether `ffmpegPath -version` runs. */
export function ffmpegWorks(ffmpegPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, ["-version"], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}
