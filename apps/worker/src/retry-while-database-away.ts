import { setTimeout as sleep } from "node:timers/promises";
import { DatabaseUnavailableError } from "@shootout/db";
import type { Logger } from "pino";

export interface RetryWhileAwayOptions {
  log: Logger;
  /** What is being written, for the log. */
  what: string;
  /** Longest time to keep trying (from the first failure's start). */
  maxMs: number;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Runs `write` again, with jittered exponential backoff, for as long as it fails because the
 * database is away (a restart takes seconds), up to `maxMs`; any other failure, or the last one,
 * is thrown. For the writes that settle a job: a finished render must not be thrown away because
 * Postgres restarted just as it ended.
 */
export async function retryWhileDatabaseAway<T>(
  write: () => Promise<T>,
  options: RetryWhileAwayOptions,
): Promise<T> {
  const deadline = Date.now() + options.maxMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await write();
      if (attempt > 1) options.log.info({ what: options.what, attempt }, "database back: written");
      return value;
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError) || Date.now() + delay > deadline) throw error;
      if (attempt === 1) {
        options.log.warn({ what: options.what, reason: error.message }, "database unavailable: retrying");
      }
      await sleep(delay * (0.5 + Math.random() / 2));
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  }
}
