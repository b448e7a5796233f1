import { EXIT_HELP, helpOption, IDENTITY_HELP, identityOptions, parseCommandArgs } from "../args.ts";
import { UsageError } from "../cli-errors.ts";
import { formatTime } from "../output/format.ts";
import { formatTable } from "../output/table.ts";
import { type Command, println } from "./command.ts";

const HELP = `Usage: shootout sessions list                 (--user U | --api URL --token T)
       shootout sessions revoke <sessionId>
       shootout sessions revoke --all

Your sign-in sessions (auth.sessions.list). revoke ends one of them (auth.sessions.revoke);
--all signs you out everywhere: every browser and every bearer token stops working at once.
Remotely, the token used for the call goes last, so --all ends it too.

Options:
  --all        with revoke: every session of the user
  -h, --help   this text

${IDENTITY_HELP}

${EXIT_HELP}
`;

export const sessionsCommand: Command = {
  name: "sessions",
  summary: "list your sessions; revoke one, or --all",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      "sessions",
      argv,
      { ...identityOptions, ...helpOption, all: { type: "boolean" } },
      { allowPositionals: true },
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const [sub, sessionId, ...extra] = positionals;
    if (sub !== "list" && sub !== "revoke") {
      throw new UsageError(sub ? `unknown: sessions ${sub}` : "sessions list, or sessions revoke", {
        command: "sessions",
      });
    }
    if (sub === "revoke" && (values.all ? sessionId !== undefined : sessionId === undefined)) {
      throw new UsageError("sessions revoke takes a session id, or --all (not both)", {
        command: "sessions",
      });
    }
    if (extra.length > 0 || (sub === "list" && (sessionId !== undefined || values.all))) {
      throw new UsageError("too many arguments", { command: "sessions" });
    }

    const opened = await (await import("../backend/open-backend.ts")).openBackend("sessions", values, {});
    try {
      const { backend } = opened;
      const me = await backend.me();
      if (sub === "list") {
        const sessions = await backend.listSessions();
        const inProcess = backend.mode === "in-process";
        println(
          io.stdout,
          formatTable(
            ["SESSION", "CREATED", "LAST USED", "EXPIRES", "CLIENT"],
            sessions.map((s) => [
              s.id,
              formatTime(s.createdAt),
              formatTime(s.lastVerifiedAt),
              formatTime(s.expiresAt),
              `${s.userAgent ?? "?"}${s.current ? (inProcess ? " (this command)" : " (this token)") : ""}`,
            ]),
          ),
        );
        return 0;
      }
      if (values.all) {
        const count = await backend.revokeAllSessions();
        println(io.stdout, `revoked ${count} session${count === 1 ? "" : "s"} of ${me.username}`);
        return 0;
      }
      await backend.revokeSession(sessionId!);
      println(io.stdout, `revoked session ${sessionId}`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};
