import { EXIT_HELP, helpOption, identityOptions, parseCommandArgs } from "../args.ts";
import { UsageError } from "../cli-errors.ts";
import { type Command, type Io, println } from "./command.ts";

const HELP = `Usage: shootout storage copy --to <local|database|s3> [--from <local|database|s3>]
       shootout storage create-bucket

Moves a deployment's stored bytes (uploads, outputs, cached models) between storage backends
(STORAGE_BACKEND): local is STORAGE_DIR; database is DATABASE_URL, or the embedded database in
PGLITE_DATA_DIR; s3 is the bucket S3_BUCKET at S3_ENDPOINT (with S3_REGION, S3_ACCESS_KEY_ID,
S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE as the processes have them). The objects come from
--from, by default STORAGE_BACKEND (when that is not the destination; else local, or database for
--to local). Then set STORAGE_BACKEND to the destination on every process.

create-bucket makes the bucket S3_BUCKET at S3_ENDPOINT (first-time setup of a self-hosted
store; one that exists already is fine).

Objects the destination already holds are skipped, so it can run again (say, once more after the
switch, for what was uploaded meanwhile). Each object's key is its sha256, checked again as it is
stored: an object whose bytes no longer match is named and not copied (exit 1).
In-process only, on this machine's database and directory.

Options:
  --to <local|database|s3>     where the objects go
  --from <local|database|s3>   where they are (default: see above)
  -h, --help              this text

${EXIT_HELP}
`;

/** `storage create-bucket`: needs no database, only the S3_* variables. */
async function createBucket(io: Io): Promise<number> {
  const [{ readEnv }, { createS3Storage, s3OptionsFromSettings }] = await Promise.all([
    import("../backend/open-backend.ts"),
    import("@shootout/storage"),
  ]);
  const env = readEnv(io.env);
  if (!env.S3_BUCKET) {
    throw new UsageError("storage create-bucket needs S3_BUCKET (and S3_ENDPOINT unless it is AWS S3)", {
      command: "storage",
    });
  }
  const bucket = createS3Storage(s3OptionsFromSettings(env));
  const outcome = await bucket.createBucket();
  println(
    io.stdout,
    `${outcome === "created" ? "created" : "there already:"} the S3 bucket "${bucket.where.bucket}" at ${bucket.where.endpoint}`,
  );
  return 0;
}

function backendNamed(name: string | undefined): "local" | "database" | "s3" | null {
  return name === "local" || name === "database" || name === "s3" ? name : null;
}

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

export const storageCommand: Command = {
  name: "storage",
  summary: "storage copy --to <local|database|s3> moves stored bytes between backends (in-process)",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "storage",
      argv,
      {
        ...helpOption,
        to: { type: "string" },
        from: { type: "string" },
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
    if (sub === "create-bucket" && extra.length === 0) return createBucket(io);
    if (sub !== "copy" || extra.length > 0) {
      throw new UsageError(
        sub
          ? `unknown: storage ${[sub, ...extra].join(" ")}`
          : "storage needs a subcommand: copy or create-bucket",
        {
          command: "storage",
        },
      );
    }
    const to = backendNamed(values.to);
    if (!to) {
      throw new UsageError("storage copy needs --to local, --to database or --to s3", { command: "storage" });
    }
    if (values.from !== undefined && !backendNamed(values.from)) {
      throw new UsageError("--from is local, database or s3", { command: "storage" });
    }

    // Loaded only now: --help and usage errors answer without the database stack.
    const [
      { readEnv },
      { openInProcessRuntime },
      { createCliLogger },
      { copyStorage, storageFromSettings, storagePlace },
    ] = await Promise.all([
      import("../backend/open-backend.ts"),
      import("../backend/in-process-runtime.ts"),
      import("../logger.ts"),
      import("@shootout/storage"),
    ]);
    const env = readEnv(io.env);
    const from =
      backendNamed(values.from) ??
      (env.STORAGE_BACKEND !== to ? env.STORAGE_BACKEND : to === "local" ? "database" : "local");
    if (from === to) throw new UsageError(`--from and --to are both ${to}`, { command: "storage" });
    if ((from === "s3" || to === "s3") && !env.S3_BUCKET) {
      throw new UsageError("copying to or from s3 needs S3_BUCKET (and S3_ENDPOINT unless it is AWS S3)", {
        command: "storage",
      });
    }
    const runtime = await openInProcessRuntime(env, createCliLogger(io.env), {});
    try {
      const source = storageFromSettings({ ...env, STORAGE_BACKEND: from }, runtime.database);
      const destination = storageFromSettings({ ...env, STORAGE_BACKEND: to }, runtime.database);
      // A wrong bucket, endpoint or credentials: one line saying which, before anything is read.
      await source.ready();
      await destination.ready();
      const place = (backend: "local" | "database" | "s3") =>
        backend === "database"
          ? `the database (${runtime.where})`
          : storagePlace({ ...env, STORAGE_BACKEND: backend });
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
