import { readFileSync } from "node:fs";
import path from "node:path";
import { insertTestDiFile } from "@shootout/db/testing";
import type { AppRouter } from "@shootout/router";
import { createSession, type PublicUser, validateSessionToken } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { describe, EXAMPLE_CONFIG, EXAMPLES, runCli, spawnCli } from "./helpers/cli.ts";
import { sha256Of } from "./helpers/files.ts";
import { startTestApi, type TestApi } from "./helpers/test-api.ts";

// The CLI against a real API server with a bearer token: tRPC over HTTP for calls, WebSocket for
// progress, POST /files and GET /files/:id for bytes. No database access from the CLI.
let t: TestApi;
let user: PublicUser;
let token = "";
let remoteArgs: string[] = [];

beforeAll(async () => {
  t = await startTestApi();
  ({ user, token } = await createTestUser(t.database.db));
  remoteArgs = ["--api", t.url, "--token", token];
});

afterAll(async () => {
  await t?.close();
});

// No database settings at all: the remote mode must not need any.
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { PGLITE_DATA_DIR: "/nonexistent/should-not-be-created", ...env });

group("remote mode (--api, --token)", { timeout: 180_000 }, () => {
  it("jobs: an empty list for a new user", async () => {
    const result = await cli(["jobs", ...remoteArgs]);
    expect(result.code, describe(result)).toBe(0);
    expect(result.stdout.trim()).toBe("no jobs");
  });

  let queuedJobId = "";
  it("run --no-wait: uploads through POST /files, creates the shootout and the job, prints its id", async () => {
    const result = await cli(["run", EXAMPLE_CONFIG, "--no-wait", ...remoteArgs]);
    expect(result.code, describe(result)).toBe(0);
    queuedJobId = result.stdout.trim();
    expect(queuedJobId).toMatch(/^[0-9a-f-]{36}$/);

    const { db } = t.database;
    const job = await db
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", queuedJobId)
      .executeTakeFirstOrThrow();
    expect(job.ownerId).toBe(user.id);
    const shootout = await db
      .selectFrom("shootouts")
      .selectAll()
      .where("id", "=", job.shootoutId)
      .executeTakeFirstOrThrow();
    expect(shootout.name).toBe("Example shootout");
    const di = await db
      .selectFrom("files")
      .selectAll()
      .where("id", "=", shootout.diFileId)
      .executeTakeFirstOrThrow();
    expect(di.ownerId).toBe(user.id);
    expect(di.sha256).toBe(sha256Of(path.join(EXAMPLES, "di.wav")));
  });

  it("jobs: lists that job, with the token (the env variables work too)", async () => {
    const result = await cli(["jobs"], { SHOOTOUT_API: t.url, SHOOTOUT_TOKEN: token });
    expect(result.code, describe(result)).toBe(0);
    expect(result.stdout).toContain(queuedJobId);
    expect(result.stdout).toContain("Example shootout");
  });

  it("run: follows the job over the WebSocket to completed and downloads into --out", async () => {
    // Inside the API's temporary storage directory: removed with it.
    const out = path.join(t.storageDir, "cli-out");
    const result = await cli(["run", EXAMPLE_CONFIG, "--out", out, ...remoteArgs]);
    expect(result.code, describe(result)).toBe(0);
    const jobId = /job ([0-9a-f-]{36}) completed/.exec(result.stdout)?.[1];
    expect(jobId, describe(result)).toBeDefined();
    expect(result.stdout).toMatch(/\[100%\] completed/);
    const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(summary.job).toMatchObject({ id: jobId, status: "completed" });
    const job = await t.database.db
      .selectFrom("jobs")
      .select("status")
      .where("id", "=", jobId!)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe("completed");
  });

  it("jobs --watch: streams status changes (jobs.onMine) until interrupted, then exits 0", async () => {
    const child = spawnCli(["jobs", "--watch", ...remoteArgs], {});
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const started = new Promise<void>((resolve) => {
      child.stderr?.on("data", (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes("watching your jobs")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await Promise.race([started, exited.then(() => Promise.reject(new Error(`exited early: ${stderr}`)))]);

    const run = await cli(["run", EXAMPLE_CONFIG, "--no-wait", ...remoteArgs]);
    expect(run.code, describe(run)).toBe(0);
    const jobId = run.stdout.trim();
    const deadline = Date.now() + 30_000;
    while (!new RegExp(`${jobId}\\s+completed`).test(stdout) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stdout).toMatch(new RegExp(`${jobId}\\s+completed`));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("run for an account without Tone 3000 access stops before uploading anything (exit 1), saying what to do", async () => {
    const lapsed = await createTestUser(t.database.db, { tone3000Access: false });
    const result = await cli(["run", EXAMPLE_CONFIG, "--no-wait", "--api", t.url, "--token", lapsed.token]);
    expect(result.code, describe(result)).toBe(1);
    expect(result.stderr).toMatch(
      /has no Tone 3000 access on .*: sign in with Tone 3000 once through its web app/,
    );
    const files = await t.database.db
      .selectFrom("files")
      .select("id")
      .where("ownerId", "=", lapsed.user.id)
      .execute();
    expect(files).toEqual([]);
  });

  it("a job for an account without Tone 3000 access is refused by the server (412), naming the models", async () => {
    // Models nobody has cached yet, and a shootout made by a client that did not look first.
    await t.database.db.deleteFrom("modelCache").execute();
    const lapsed = await createTestUser(t.database.db, { tone3000Access: false });
    const diFileId = await insertTestDiFile(t.database.db, lapsed.user.id);
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${t.url}/trpc`, headers: { authorization: `Bearer ${lapsed.token}` } })],
    });
    const s = await client.shootouts.create.mutate({
      name: "no access",
      diFileId,
      tones: [
        { tone3000ToneId: "101", tone3000ModelId: "1002", displayName: "A" },
        { tone3000ToneId: "104", tone3000ModelId: "1005", displayName: "B" },
      ],
    });
    await expect(client.jobs.create.mutate({ shootoutId: s.id })).rejects.toThrow(
      /no Tone 3000 access \(sign in with Tone 3000 again\): the models and IRs of 'A', 'B'/,
    );
  });

  it("users is refused remotely with a reason (exit 2)", async () => {
    const result = await cli(["users", ...remoteArgs]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/in-process/);
  });

  it("sessions list / revoke <id>: ends that session only", async () => {
    const other = await createSession(t.database.db, user.id, { userAgent: "old laptop" });
    const listed = await cli(["sessions", "list", ...remoteArgs]);
    expect(listed.code, describe(listed)).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${other.session.id}.*old laptop`));
    expect(listed.stdout).toContain("(this token)");

    const revoked = await cli(["sessions", "revoke", other.session.id, ...remoteArgs]);
    expect(revoked.code, describe(revoked)).toBe(0);
    expect(await validateSessionToken(t.database.db, other.token)).toBeNull();
    expect(await validateSessionToken(t.database.db, token)).not.toBeNull();

    // Someone else's (or a gone) session is not found: exit 1 with the server's word.
    const again = await cli(["sessions", "revoke", other.session.id, ...remoteArgs]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/NOT_FOUND/);
  });

  it("sessions revoke --all: the token itself stops working", async () => {
    const second = await createTestUser(t.database.db, {
      tone3000Id: user.tone3000Id,
      username: user.username,
    });
    expect(second.user.id).toBe(user.id);
    const result = await cli(["sessions", "revoke", "--all", ...remoteArgs]);
    expect(result.code, describe(result)).toBe(0);
    expect(result.stdout).toContain("revoked 2 sessions");

    const after = await cli(["jobs", ...remoteArgs]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/UNAUTHORIZED/);
    const download = await fetch(`${t.url}/files/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`, {
      headers: { authorization: `Bearer ${second.token}` },
    });
    expect(download.status).toBe(401);
  });

  it("a token without --api is a usage error (exit 2)", async () => {
    const result = await cli(["jobs", "--token", token]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--token needs --api/);
  });
});
