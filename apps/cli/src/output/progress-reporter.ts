import type { JobProgressEvent } from "../backend/job-progress-event.ts";

export interface ProgressReporter {
  update(event: JobProgressEvent): void;
  /** Ends the bar's line (TTY) so what follows starts on a fresh one. */
  finish(): void;
}

const BAR_WIDTH = 30;

/**
 * A progress bar redrawn in place on a terminal; one plain line per event otherwise (logs, CI,
 * pipes), where repeated identical lines are skipped.
 */
export function createProgressReporter(out: NodeJS.WriteStream | NodeJS.WritableStream): ProgressReporter {
  const tty = "isTTY" in out && out.isTTY === true;
  let drawn = false;
  let last = "";
  return {
    update(event) {
      if (tty) {
        const filled = Math.round((event.progress / 100) * BAR_WIDTH);
        const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
        const columns = "columns" in out && typeof out.columns === "number" ? out.columns : 100;
        const text = `${bar} ${String(event.progress).padStart(3)}% ${event.status} ${event.message}`;
        out.write(`\r\x1b[2K${text.slice(0, Math.max(20, columns - 1))}`);
        drawn = true;
        return;
      }
      const line = `[${String(event.progress).padStart(3)}%] ${event.status}${event.message ? `: ${event.message}` : ""}`;
      if (line === last) return;
      last = line;
      out.write(`${line}\n`);
    },
    finish() {
      if (tty && drawn) out.write("\n");
      drawn = false;
    },
  };
}
