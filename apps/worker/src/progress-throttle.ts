/**
 * Coalesces progress reports to at most one write per `intervalMs` (measured from the end of the
 * previous write): the pipeline may report every chunk, and only the latest report is written.
 * Writes run one at a time, in order.
 */
export interface ProgressThrottle {
  report(percent: number, message: string): void;
  /** Drops any report not yet written and waits for the one in flight: a final event follows. */
  stop(): Promise<void>;
}

export function createProgressThrottle(
  write: (percent: number, message: string) => Promise<void>,
  intervalMs: number,
): ProgressThrottle {
  let pending: { percent: number; message: string } | null = null;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastWriteEnd = Number.NEGATIVE_INFINITY;
  let stopped = false;

  function schedule(): void {
    if (stopped || inFlight || timer || !pending) return;
    const wait = lastWriteEnd + intervalMs - performance.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  }

  function run(): void {
    timer = null;
    if (stopped || !pending) return;
    const { percent, message } = pending;
    pending = null;
    // `write` reports its own failures; a rejected progress write must not stop the next one.
    inFlight = write(percent, message)
      .catch(() => {})
      .finally(() => {
        lastWriteEnd = performance.now();
        inFlight = null;
        schedule();
      });
  }

  return {
    report(percent, message) {
      if (stopped) return;
      pending = { percent, message };
      schedule();
    },
    async stop() {
      stopped = true;
      pending = null;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight?.catch(() => {});
    },
  };
}
