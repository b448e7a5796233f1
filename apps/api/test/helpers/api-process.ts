import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export interface ApiProcess {
  readonly child: ChildProcess;
  /** Base URL, once it listens. */
  readonly url: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed (stdout and stderr). */
  output(): string;
  alive(): boolean;
}

/** `node apps/api/src/main.ts` as a child process (server mode when `env` has DATABASE_URL). */
export function spawnApi(env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let resolveUrl: (url: string) => void = () => {};
  let rejectUrl: (error: Error) => void = () => {};
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    const found = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
    if (found) resolveUrl(found[1]!);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      rejectUrl(new Error(`the API exited (${code ?? signal}) before listening:\n${out}`));
      resolve({ code, signal });
    }),
  );
  return {
    child,
    url,
    exited,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
