import { writeFile } from "node:fs/promises";
import path from "node:path";
import { EXIT_HELP, helpOption, IDENTITY_HELP, identityOptions, parseCommandArgs } from "../args.ts";
import { CliFailure, UsageError } from "../cli-errors.ts";
import { loadConfig } from "../config/load-config.ts";
import { formatBytes, slugify } from "../output/format.ts";
import { createProgressReporter } from "../output/progress-reporter.ts";
import { downloadOutputs, listJobOutputs } from "../run/download-outputs.ts";
import { followJob } from "../run/follow-job.ts";
import { formatMetricsSummary } from "../run/metrics-summary.ts";
import { uploadInputs } from "../run/upload-inputs.ts";
import { userPath } from "../user-paths.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout run <config.json> [--out DIR] [--no-wait] [--worker | --no-worker] (--user U | --api URL --token T)

Creates a shootout from a config file, renders it and downloads the results:
  1. validates the file (the router's own shootouts.create schema, with file paths in place of
     file ids: "di" and each tone's "ir", relative to the config file); every problem is listed
  2. in-process: checks the user's Tone 3000 access (the render downloads every model with it);
     on the embedded product the bundled stand-in's player ("local") is signed in on the spot
     when it has none (the first time, that creates the user); anyone else without it is stopped
     here: sign in once through the web app, or use --api with a token
  3. uploads the DI and IRs (in-process: the API upload route's own code; remote: POST /files)
  4. shootouts.create, then jobs.create
  5. follows jobs.onProgress (a progress bar on a terminal, one line per step otherwise)
  6. downloads the job's output files into DIR with summary.json, and prints the metrics

Options:
  --out DIR        where outputs go (default ./shootout-output/<shootout-name>)
  --no-wait        stop after the job is created (prints its id; \`shootout jobs\` follows it)
  --worker         render in this process even on Postgres (default: only on the embedded
                   database, where nothing else can render); --no-worker never
  -h, --help       this text

${IDENTITY_HELP}

Example (a fresh checkout; renders real audio with the bundled Tone 3000 stand-in's models):
  pnpm shootout run apps/cli/examples/example.json --user local

${EXIT_HELP} A job that ends failed or cancelled exits 1.
`;

export const runCommand: Command = {
  name: "run",
  summary: "create a shootout from a config file, render it, download the results",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "run",
      argv,
      {
        ...identityOptions,
        ...helpOption,
        out: { type: "string" },
        wait: { type: "boolean" },
        worker: { type: "boolean" },
      },
      { allowPositionals: true },
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length ? "one config file at a time" : "which config file?", {
        command: "run",
      });
    }
    const say = (line: string) => println(io.stderr, line);
    const wait = values.wait ?? true;

    // Validate everything before touching a database or a server.
    const loaded = await loadConfig(userPath(positionals[0]!, io.env));
    const outDir = userPath(values.out ?? path.join("shootout-output", slugify(loaded.config.name)), io.env);

    const [{ openBackend }, { ensureTone3000Access }] = await Promise.all([
      import("../backend/open-backend.ts"),
      import("../tone3000/ensure-tone3000-access.ts"),
    ]);
    const opened = await openBackend(
      "run",
      values,
      {
        queue: true,
        events: wait,
        worker: !wait || values.worker === false ? "no" : values.worker ? "yes" : "auto",
        tone3000: true,
      },
      io.env,
      { prepareUser: (runtime, userRef) => ensureTone3000Access(runtime, userRef, say) },
    );
    try {
      const { backend } = opened;
      const me = await backend.me();
      say(`as ${me.username} (${me.id}) on ${backend.where}`);
      // In-process, prepareUser has seen to it; remotely, stop before uploading anything.
      if (!me.tone3000Access) {
        throw new CliFailure(
          `${me.username} has no Tone 3000 access on ${backend.where}: sign in with Tone 3000 once through its web app, then run this again`,
        );
      }

      const { input } = await uploadInputs(backend, loaded, say);
      const shootout = await backend.createShootout(input);
      say(`shootout ${shootout.id} "${shootout.name}" with ${shootout.tones.length} tones`);
      const job = await backend.createJob(shootout.id);
      say(`job ${job.id} ${job.status}`);
      if (!wait) {
        if (opened.runtime && !opened.runtime.where.startsWith("Postgres")) {
          say("nothing renders it until the product runs on this database (pnpm start, or shootout run)");
        }
        println(io.stdout, job.id);
        return 0;
      }

      const reporter = createProgressReporter(io.stdout);
      const final = await followJob(backend, job, reporter, io.signal);
      if (!final) {
        say(`stopped waiting; job ${job.id} is not finished (\`shootout jobs\` shows it)`);
        return 1;
      }
      if (final.status !== "completed") {
        say(`job ${final.id} ${final.status}${final.error ? `: ${final.error}` : ""}`);
        return 1;
      }

      const outputs = await listJobOutputs(backend, final);
      const written = await downloadOutputs(backend, outputs, outDir);
      const rendered = await backend.getShootout(shootout.id);
      await writeFile(
        path.join(outDir, "summary.json"),
        `${JSON.stringify(
          {
            shootout: rendered,
            job: final,
            outputs: written.map(({ file, localPath }) => ({ ...file, path: path.basename(localPath) })),
          },
          null,
          2,
        )}\n`,
      );
      println(io.stdout, `job ${final.id} completed`);
      println(io.stdout, `outputs in ${outDir}:`);
      for (const { file, localPath } of written) {
        println(io.stdout, `  ${path.basename(localPath)}  ${formatBytes(file.sizeBytes)}`);
      }
      if (written.length === 0) println(io.stdout, "  (the job produced no output files)");
      println(io.stdout, "  summary.json");
      println(io.stdout, formatMetricsSummary(rendered));
      return 0;
    } finally {
      await opened.close();
    }
  },
};
