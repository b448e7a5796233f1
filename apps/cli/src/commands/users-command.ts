import { EXIT_HELP, helpOption, identityOptions, parseCommandArgs } from "../args.ts";
import { UsageError } from "../cli-errors.ts";
import { formatTime } from "../output/format.ts";
import { formatTable } from "../output/table.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout users                       list every user
       shootout users add <username> [--tone3000-id ID]

An admin listing read straight from the database (DATABASE_URL, or the embedded database in
PGLITE_DATA_DIR): in-process only, never through the API, which has no such procedure.

users add creates a user who has not signed in yet, for scripts and a fresh machine (\`shootout
run --user <username>\`). Their Tone 3000 id defaults to the username; "local-user" is the
bundled stand-in's own player, so \`users add local --tone3000-id local-user\` is the same account
a browser sign-in on the embedded product creates (\`shootout login\`, or \`shootout run --user
local\` on the embedded product, creates it and signs it in to Tone 3000 as well).

Options:
  -h, --help   this text

${EXIT_HELP}
`;

const username = (v: string) => v.trim().length > 0 && v.trim().length <= 100;

export const usersCommand: Command = {
  name: "users",
  summary: "list users (in-process only); users add <username> creates one",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "users",
      argv,
      {
        ...helpOption,
        "tone3000-id": { type: "string" },
        // Refused with a reason below rather than as an unknown option.
        ...identityOptions,
      },
      { allowPositionals: true },
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (values.api || values.token || (!values.user && io.env.SHOOTOUT_API)) {
      throw new UsageError(
        "users reads the database directly (an admin listing, not a procedure): run it in-process, where DATABASE_URL or PGLITE_DATA_DIR is, without --api/--token",
        { command: "users" },
      );
    }
    const [sub, name, ...extra] = positionals;
    if (sub !== undefined && sub !== "add")
      throw new UsageError(`unknown: users ${sub}`, { command: "users" });
    if (sub === "add" && (!name || !username(name) || extra.length > 0)) {
      throw new UsageError("users add takes one username (1–100 characters)", { command: "users" });
    }
    if (sub === undefined && values["tone3000-id"]) {
      throw new UsageError("--tone3000-id goes with users add", { command: "users" });
    }

    // Loaded only now: --help and usage errors answer without the database stack.
    const [{ readEnv }, { openInProcessRuntime }, { createCliLogger }, { upsertUserByTone3000Id }, { sql }] =
      await Promise.all([
        import("../backend/open-backend.ts"),
        import("../backend/in-process-runtime.ts"),
        import("../logger.ts"),
        import("@shootout/router"),
        import("kysely"),
      ]);
    const runtime = await openInProcessRuntime(readEnv(io.env), createCliLogger(io.env), {});
    try {
      const { db } = runtime.database;
      if (sub === "add") {
        const user = await upsertUserByTone3000Id(db, {
          tone3000Id: values["tone3000-id"] ?? name!.trim(),
          username: name!.trim(),
        });
        println(io.stdout, user.id);
        println(io.stderr, `user ${user.username} (${user.id}) ready on ${runtime.where}`);
        return 0;
      }
      const rows = await db
        .selectFrom("users")
        .select(["id", "username", "tone3000Id", "createdAt"])
        .select(
          sql<number>`(select count(*) from sessions s where s.user_id = users.id and s.expires_at > now())`.as(
            "sessions",
          ),
        )
        .select(sql<number>`(select count(*) from shootouts s where s.owner_id = users.id)`.as("shootouts"))
        .select(sql<number>`(select count(*) from jobs j where j.owner_id = users.id)`.as("jobs"))
        .orderBy("createdAt")
        .orderBy("id")
        .execute();
      if (rows.length === 0) {
        println(io.stdout, "no users (shootout users add <username> creates one)");
        return 0;
      }
      println(
        io.stdout,
        formatTable(
          ["ID", "USERNAME", "TONE3000 ID", "CREATED", "SESSIONS", "SHOOTOUTS", "JOBS"],
          rows.map((r) => [
            r.id,
            r.username,
            r.tone3000Id,
            formatTime(new Date(r.createdAt).toISOString()),
            String(r.sessions),
            String(r.shootouts),
            String(r.jobs),
          ]),
        ),
      );
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
