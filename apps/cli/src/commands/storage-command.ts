import { EXIT_HELP, helpOption, identityOptions, parseCommandArgs } from "../args.ts";
import { UsageError } from "../cli-errors.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout storage copy --to <database|local>

Moves a deployment's stored bytes (uploads, outputs, cached models) between the two storage
backends (STORAGE_BACKEND): --to database copies every object in STORAGE_DIR into the database
(DATABASE_URL, or the embedded database in PGLITE_DATA_DIR); --to local copies the database's
objects into STORAGE_DIR. Then set STORAGE_BACKEND to the destination on every process.

Objects the destination already holds are skipped, so it can run again (say, once more after the
switch, for what was uploaded meanwhile). Each object's key is its sha256, checked again as it is
stored: an object whose bytes no longer match is named and not copied (exit 1).
In-process only, on this machine's database and directory.

Options:
  --to <database|local>   where the objects go
  -h, --help              this text

${EXIT_HELP}
`;

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

export const storageCommand: Command = {
  name: "storage",
  summary: "storage copy --to <database|local> moves stored bytes between backends (in-process)",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "storage",
      argv,
      {
        ...helpOption,
        to: { type: "string" },
        // Refused with a reason below rather than as an unknown option.
        ...identityOptions,
      },
      { allowPositionals: true },
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (values.api || values.token || values.user) {
      throw new UsageError(
        "storage works on this machine's database and directory directly: run it without --api/--token/--user",
        { command: "storage" },
      );
    }
    const [sub, ...extra] = positionals;
    if (sub !== "copy" || extra.length > 0) {
      throw new UsageError(
        sub ? `unknown: storage ${[sub, ...extra].join(" ")}` : "storage needs a subcommand: copy",
        {
          command: "storage",
        },
      );
    }
    const to = values.to;
    if (to !== "database" && to !== "local") {
      throw new UsageError("storage copy needs --to database or --to local", { command: "storage" });
    }

    // Loaded only now: --help and usage errors answer without the database stack.
    const [{ readEnv }, { openInProcessRuntime }, { createCliLogger }, { copyStorage, storageFromSettings }] =
      await Promise.all([
        import("../backend/open-backend.ts"),
        import("../backend/in-process-runtime.ts"),
        import("../logger.ts"),
        import("@shootout/storage"),
      ]);
    const env = readEnv(io.env);
    const runtime = await openInProcessRuntime(env, createCliLogger(io.env), {});
    try {
      const from = to === "database" ? "local" : "database";
      const source = storageFromSettings({ ...env, STORAGE_BACKEND: from }, runtime.database);
      const destination = storageFromSettings({ ...env, STORAGE_BACKEND: to }, runtime.database);
      const place = (backend: string) =>
        backend === "local" ? env.STORAGE_DIR : `the database (${runtime.where})`;
      println(io.stderr, `copying stored objects from ${place(from)} to ${place(to)}`);
      let seen = 0;
      const result = await copyStorage(source, destination, {
        signal: io.signal,
        onObject: (key, outcome) => {
          seen++;
          if (outcome === "corrupt")
            println(io.stderr, `${key}: its bytes no longer match its key; not copied`);
          else if (seen % 100 === 0) println(io.stderr, `${seen} objects looked at`);
        },
      });
      println(
        io.stdout,
        `copied ${result.copied} objects (${mb(result.copiedBytes)}); ${result.present} were there already`,
      );
      if (result.corrupt.length > 0) {
        println(io.stderr, `${result.corrupt.length} damaged objects were not copied (named above)`);
        return 1;
      }
      println(io.stderr, `now set STORAGE_BACKEND=${to} on every process (API, workers, this CLI)`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
