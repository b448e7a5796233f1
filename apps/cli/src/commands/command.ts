/** Where a command writes: stdout for its results, stderr for everything about them. */
export interface Io {
  readonly stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long waits (progress, --watch) end cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Resolves to the exit code; throws UsageError (2) or anything else (1). */
  run(argv: string[], io: Io): Promise<number>;
}

export function println(out: Io["stdout"], text = ""): void {
  out.write(`${text}\n`);
}
