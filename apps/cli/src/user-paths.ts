import path from "node:path";

/**
 * The directory the user typed the command in. `pnpm shootout …` runs the root script from the
 * repository root, so there the invocation directory is INIT_CWD; anywhere else it is the cwd.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === "shootout" && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

/** A path the user gave on the command line, made absolute against where they typed it. */
export function userPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userCwd(env), p);
}
