import { EXIT_HELP, helpOption, identityOptions, parseCommandArgs } from "../args.ts";
import { CliFailure, UsageError } from "../cli-errors.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout login

Signs in to Tone 3000 without a browser, in-process, and stores the access for the user Tone 3000
approves, exactly as the web app's sign-in does (the user is created on the first sign-in, found
by Tone 3000 id later; the tokens are kept encrypted with the same key). Prints the username, for
\`shootout run --user <username>\`.

Only a Tone 3000 that approves without asking a person can do that: the bundled stand-in, which
the embedded product runs in-process when TONE3000_BASE_URL is unset (it signs in its player
"local"), or a stand-in TONE3000_BASE_URL points at. A real Tone 3000 needs a browser: sign in
once through the web app, or use the API's /auth/login?mode=token for a token to use with --api.

\`shootout run --user local\` signs in by itself when needed, so this is rarely necessary.

Options:
  -h, --help   this text

${EXIT_HELP}
`;

export const loginCommand: Command = {
  name: "login",
  summary: "sign in to the Tone 3000 stand-in without a browser (in-process only)",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "login",
      argv,
      {
        ...helpOption,
        // Refused with a reason below rather than as an unknown option.
        ...identityOptions,
      },
      { allowPositionals: true },
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError("login takes no arguments", { command: "login" });
    if (values.user) {
      throw new UsageError("login signs in whoever Tone 3000 approves: no --user", { command: "login" });
    }
    if (values.api || values.token) {
      throw new UsageError(
        "login runs in-process (it stores Tone 3000 tokens in this machine's database); against an API, sign in at <api>/auth/login?mode=token in a browser and pass the token with --token",
        { command: "login" },
      );
    }

    // Loaded only now: --help and usage errors answer without the database stack.
    const [{ readEnv }, { openInProcessRuntime }, { createCliLogger }, { headlessTone3000Login }] =
      await Promise.all([
        import("../backend/open-backend.ts"),
        import("../backend/in-process-runtime.ts"),
        import("../logger.ts"),
        import("../tone3000/headless-login.ts"),
      ]);
    const runtime = await openInProcessRuntime(readEnv(io.env), createCliLogger(io.env), { tone3000: true });
    try {
      const services = runtime.tone3000Services;
      if (!services) {
        throw new CliFailure(
          "no Tone 3000 to sign in to: with DATABASE_URL set TONE3000_BASE_URL (and TONE3000_CLIENT_ID); unset both for the embedded product's stand-in",
        );
      }
      const user = await headlessTone3000Login(services, runtime.database.db);
      println(io.stdout, user.username);
      println(
        io.stderr,
        `signed in to Tone 3000 at ${services.baseUrl}${services.standIn ? " (the in-process stand-in)" : ""} as ${user.username} (${user.id}) on ${runtime.where}`,
      );
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
