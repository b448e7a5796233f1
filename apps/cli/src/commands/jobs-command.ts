import { JOB_STATUSES, type JobStatus } from "@shootout/jobs";
import type { JobOutput } from "@shootout/router";
import { EXIT_HELP, helpOption, IDENTITY_HELP, identityOptions, parseCommandArgs } from "../args.ts";
import type { Backend } from "../backend/backend.ts";
import { UsageError } from "../cli-errors.ts";
import { formatTime } from "../output/format.ts";
import { formatTable } from "../output/table.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout jobs [--status S] [--limit N] [--watch] (--user U | --api URL --token T)

Lists your jobs, newest first (jobs.list), as a table.

Options:
  --status S   only jobs in this status: ${JOB_STATUSES.join(", ")}
  --limit N    at most N jobs (1–100, default 20)
  --watch      then stream status changes of all your jobs (jobs.onMine), one line each, until
               Ctrl-C. On the embedded database only this process can see it change: use
               --api/--token against a running \`pnpm start\` instead.
  -h, --help   this text

${IDENTITY_HELP}

${EXIT_HELP}
`;

const isStatus = (v: string): v is JobStatus => (JOB_STATUSES as readonly string[]).includes(v);

async function shootoutNames(backend: Backend, jobs: readonly JobOutput[]): Promise<Map<string, string>> {
  const ids = [...new Set(jobs.map((j) => j.shootoutId))];
  const names = await Promise.all(
    ids.map((id) =>
      backend.getShootout(id).then(
        (s) => [id, s.name] as const,
        () => [id, "?"] as const,
      ),
    ),
  );
  return new Map(names);
}

export const jobsCommand: Command = {
  name: "jobs",
  summary: "list your jobs; --watch streams their status changes",
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs("jobs", argv, {
      ...identityOptions,
      ...helpOption,
      status: { type: "string" },
      limit: { type: "string" },
      watch: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (values.status !== undefined && !isStatus(values.status)) {
      throw new UsageError(`--status: "${values.status}" is not one of ${JOB_STATUSES.join(", ")}`, {
        command: "jobs",
      });
    }
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new UsageError("--limit: a whole number from 1 to 100", { command: "jobs" });
    }

    const opened = await (await import("../backend/open-backend.ts")).openBackend("jobs", values, {
      events: values.watch === true,
    });
    try {
      const { backend } = opened;
      const page = await backend.listJobs({ limit, ...(values.status ? { status: values.status } : {}) });
      const names = await shootoutNames(backend, page.items);
      if (page.items.length === 0) {
        println(io.stdout, values.status ? `no ${values.status} jobs` : "no jobs");
      } else {
        println(
          io.stdout,
          formatTable(
            ["JOB", "SHOOTOUT", "STATUS", "PROGRESS", "UPDATED", "MESSAGE"],
            page.items.map((job) => [
              job.id,
              names.get(job.shootoutId) ?? job.shootoutId,
              job.status,
              `${job.progress}%`,
              formatTime(job.updatedAt),
              job.error ?? job.message,
            ]),
          ),
        );
      }
      if (page.nextCursor) println(io.stderr, `(more: --limit up to 100)`);
      if (!values.watch) return 0;

      const started = () => println(io.stderr, "watching your jobs (Ctrl-C to stop)…");
      for await (const event of backend.watchMine(io.signal, started)) {
        if (values.status && event.status !== values.status) continue;
        println(
          io.stdout,
          `${formatTime(event.at)}  ${event.jobId}  ${event.status}  ${event.progress}%  ${event.message}`,
        );
      }
      return 0;
    } finally {
      await opened.close();
    }
  },
};
