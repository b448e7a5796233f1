#!/usr/bin/env node
/**
 * `shootout`: the product's procedures from a terminal or a script, in-process as a user (the
 * router's createCaller over this machine's database) or against a running API with a token.
 */
import { EXIT, UsageError } from "./cli-errors.ts";
import type { Command, Io } from "./commands/command.ts";
import { jobsCommand } from "./commands/jobs-command.ts";
import { loginCommand } from "./commands/login-command.ts";
import { runCommand } from "./commands/run-command.ts";
import { sessionsCommand } from "./commands/sessions-command.ts";
import { storageCommand } from "./commands/storage-command.ts";
import { usersCommand } from "./commands/users-command.ts";
import { reportError } from "./report-error.ts";

const COMMANDS: readonly Command[] = [
  runCommand,
  jobsCommand,
  loginCommand,
  usersCommand,
  sessionsCommand,
  storageCommand,
];

const MAIN_HELP = `Usage: shootout <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

shootout <command> --help tells more. Exit codes: 0 done, 1 failed, 2 usage error.
`;

async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(MAIN_HELP);
    return EXIT.usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(topic ? topic.help : MAIN_HELP);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" (${COMMANDS.map((c) => c.name).join(", ")})`);
  return command.run(rest, io);
}

const controller = new AbortController();
let signalled = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // First signal: stop waiting and clean up (sessions, worker hand-back); second: leave now.
    if (signalled) process.exit(130);
    signalled = true;
    controller.abort();
  });
}

const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
};
let code: number;
try {
  code = await main(process.argv.slice(2), io);
} catch (error) {
  code = reportError(error, process.stderr);
}
// Nothing may keep a finished command alive (a pool's idle timer, a socket's linger).
process.exit(code);
