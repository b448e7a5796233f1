/** Exit codes, as `--help` documents them. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The command line itself is wrong (unknown option, missing argument, bad config file): exit 2. */
export class UsageError extends Error {
  /** Every problem, one line each (a config file may have many). */
  readonly problems: readonly string[];
  /** Which command's help to point at. */
  readonly command: string | null;
  constructor(message: string, options: { problems?: readonly string[]; command?: string | null } = {}) {
    super(message);
    this.name = "UsageError";
    this.problems = options.problems ?? [];
    this.command = options.command ?? null;
  }
}

/** The command was fine but did not succeed (server refused, job failed, file unreadable): exit 1. */
export class CliFailure extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "CliFailure";
  }
}
