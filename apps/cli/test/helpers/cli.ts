import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI_MAIN = path.resolve(here, "../../src/main.ts");
export const EXAMPLES = path.resolve(here, "../../examples");
export const EXAMPLE_CONFIG = path.join(EXAMPLES, "example.json");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a CLI child gets: the test's, minus anything that would pick a mode for it. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of ["DATABASE_URL", "SHOOTOUT_API", "SHOOTOUT_TOKEN", "npm_lifecycle_event", "INIT_CWD"]) {
    delete base[key];
  }
  return { ...base, LOG_LEVEL: "error", ...env };
}

/** Spawns `node apps/cli/src/main.ts …` (the real CLI, a real process). */
export function spawnCli(args: string[], env: Record<string, string>, cwd?: string): ChildProcess {
  return spawn(process.execPath, [CLI_MAIN, ...args], {
    env: childEnv(env),
    cwd: cwd ?? process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the CLI to the end; resolves with its exit code and everything it printed. */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  const child = spawnCli(args, env, cwd);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Text for a failed expectation: what the CLI said. */
export function describe(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
