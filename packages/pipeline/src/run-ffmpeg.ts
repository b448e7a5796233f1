import { type ChildProcess, spawn } from "node:child_process";

export class FfmpegError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FfmpegError";
  }
}

/** Runs ffmpeg with `args`; rejects with its last stderr lines on failure. Killed when `signal` aborts. */
export function runFfmpeg(ffmpegPath: string, args: string[], signal?: AbortSignal): Promise<void> {
  return spawnFfmpeg(ffmpegPath, args, signal, false).done;
}

export interface FedFfmpeg {
  /** Appends bytes to ffmpeg's standard input (its `pipe:0` input). */
  write(bytes: Uint8Array): void;
  /** Ends the input. */
  end(): void;
  /** Kills ffmpeg; `done` then rejects. */
  kill(): void;
  /** Settles when ffmpeg exits: resolves on success, rejects with its last stderr lines. */
  readonly done: Promise<void>;
}

/**
 * Runs ffmpeg reading an input from its standard input, written while it runs (so it encodes
 * what it has already got while the rest is still being made). A write after ffmpeg died is
 * dropped; the failure shows in `done`.
 */
export function runFfmpegFed(ffmpegPath: string, args: string[], signal?: AbortSignal): FedFfmpeg {
  return spawnFfmpeg(ffmpegPath, args, signal, true);
}

function spawnFfmpeg(
  ffmpegPath: string,
  args: string[],
  signal: AbortSignal | undefined,
  fed: boolean,
): FedFfmpeg {
  let child: ChildProcess | null = null;
  const done = new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const started = spawn(
      ffmpegPath,
      [...(fed ? [] : ["-nostdin"]), "-hide_banner", "-loglevel", "error", "-y", ...args],
      { stdio: [fed ? "pipe" : "ignore", "ignore", "pipe"] },
    );
    child = started;
    // EPIPE when ffmpeg has already exited: its exit code says why.
    started.stdin?.on("error", () => {});
    let stderr = "";
    started.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const onAbort = () => started.kill("SIGKILL");
    signal?.addEventListener("abort", onAbort, { once: true });
    started.on("error", (cause) => {
      signal?.removeEventListener("abort", onAbort);
      reject(new FfmpegError(`cannot run ffmpeg (${ffmpegPath}): ${cause.message}`, { cause }));
    });
    started.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) resolve();
      else
        reject(
          new FfmpegError(`ffmpeg failed (${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`),
        );
    });
  });
  const stdin = () => {
    const c = child as ChildProcess | null;
    return c?.stdin && !c.stdin.destroyed ? c.stdin : null;
  };
  return {
    write(bytes) {
      stdin()?.write(bytes);
    },
    end() {
      stdin()?.end();
    },
    kill() {
      (child as ChildProcess | null)?.kill("SIGKILL");
    },
    done,
  };
}

/** Whether `ffmpegPath -version` runs. */
export function ffmpegWorks(ffmpegPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, ["-version"], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}
