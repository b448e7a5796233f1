import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-errors.ts";

/** Who the command acts as, and where: every command that calls procedures takes these. */
export const identityOptions = {
  user: { type: "string" },
  token: { type: "string" },
  api: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const helpOption = { help: { type: "boolean", short: "h" } } as const satisfies ParseArgsOptionsConfig;

export const IDENTITY_HELP = `Who and where (one of):
  --user <id|username>   in-process: as this user, on DATABASE_URL or the embedded database
                         (PGLITE_DATA_DIR, STORAGE_DIR), through the router's own procedures
  --api <url> --token <bearer>
                         remote: against a running API, as the token's user
                         (SHOOTOUT_API and SHOOTOUT_TOKEN work too)`;

export const EXIT_HELP = `Exit codes: 0 done, 1 failed (server refused, job failed or cancelled, I/O), 2 usage error
(bad option or argument, invalid config file).`;

/** node:util parseArgs, with its errors turned into usage errors naming the command. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: T,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, allowNegative: true, strict: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message, { command });
    }
    throw error;
  }
}
