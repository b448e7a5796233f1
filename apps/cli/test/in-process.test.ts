import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createSession, validateSessionToken } from "@shootout/router";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { describe, EXAMPLE_CONFIG, EXAMPLES, runCli } from "./helpers/cli.ts";
import { createDatabaseTarget, type DatabaseTarget } from "./helpers/database-target.ts";
import { sha256Of } from "./helpers/files.ts";
import { startTestWorker, type TestWorker } from "./helpers/test-worker.ts";

// The CLI in-process (`--user`): a child process on a real database. On PGlite it runs its own
// worker (nothing else can open the database); on Postgres a worker runs beside it, as in production.
let target: DatabaseTarget;
let worker: TestWorker | null = null;
let userId = "";
const username = "cli-player";

beforeAll(async () => {
  target = await createDatabaseTarget();
  if (target.backend === "postgres") {
    worker = await target.withDb((database) => startTestWorker(database, target.storageDir));
  }
});

afterAll(async () => {
  await worker?.stop();
  await target?.close();
});

const cli = (args: string[]) => runCli(args, target.env, target.dir);

group("shootout users", { timeout: 180_000 }, () => {
  it("adds a user and lists it with its counts", async () => {
    const added = await cli(["users", "add", username]);
    expect(added.code, describe(added)).toBe(0);
    userId = added.stdout.trim();
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await cli(["users"]);
    expect(listed.code, describe(listed)).toBe(0);
    const row = listed.stdout.split("\n").find((l) => l.startsWith(userId));
    expect(row, listed.stdout).toBeDefined();
    expect(row).toContain(username);
  });

  it("refuses to run remotely, saying why (exit 2)", async () => {
    const result = await cli(["users", "--api", "http://127.0.0.1:9", "--token", "x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/reads the database directly/);
  });
});

group("shootout run (in-process)", { timeout: 180_000 }, () => {
  let jobId = "";
  const outDir = () => path.join(target.dir, "out");

  it("renders the bundled example: uploads, shootout, job followed to completed, outputs downloaded", async () => {
    const result = await cli(["run", EXAMPLE_CONFIG, "--user", username, "--out", outDir()]);
    expect(result.code, describe(result)).toBe(0);
    const done = /job ([0-9a-f-]{36}) completed/.exec(result.stdout);
    expect(done, describe(result)).not.toBeNull();
    jobId = done![1]!;
    // Not a TTY: plain progress lines, ending on the final state.
    expect(result.stdout).toMatch(/\[100%\] completed/);

    const summary = JSON.parse(readFileSync(path.join(outDir(), "summary.json"), "utf8"));
    expect(summary.job.id).toBe(jobId);
    expect(summary.job.status).toBe("completed");

    await target.withDb(async ({ db }) => {
      const job = await db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
      expect(job.status).toBe("completed");
      expect(job.ownerId).toBe(userId);

      const shootout = await db
        .selectFrom("shootouts")
        .selectAll()
        .where("id", "=", job.shootoutId)
        .executeTakeFirstOrThrow();
      expect(shootout).toMatchObject({
        ownerId: userId,
        name: "Example shootout",
        guitar: "Strat-style",
        pickup: "bridge single coil",
        sampleRate: 48000,
        outputFormats: ["wav"],
        normalizeLoudness: true,
        targetLufs: -18,
        isPublic: false,
        blind: false,
      });
      const tones = await db
        .selectFrom("toneSelections")
        .selectAll()
        .where("shootoutId", "=", shootout.id)
        .orderBy("position")
        .execute();
      expect(tones.map((t) => [t.tone3000ToneId, t.tone3000ModelId, t.displayName])).toEqual([
        ["104", "1005", "Tiny WaveNet Drive"],
        ["101", "1002", "Microtubes 900 LSTM"],
        ["102", "1003", "ODS feather"],
      ]);
      expect(tones.map((t) => t.effects)).toEqual([["reverb:room"], [], ["gain:-3"]]);
      expect(tones.map((t) => t.highpass)).toEqual([true, true, false]);
      // One IR file shared by two tones: uploaded once.
      expect(tones[0]!.irFileId).not.toBeNull();
      expect(tones[1]!.irFileId).toBe(tones[0]!.irFileId);
      expect(tones[2]!.irFileId).toBeNull();

      const di = await db
        .selectFrom("files")
        .selectAll()
        .where("id", "=", shootout.diFileId)
        .executeTakeFirstOrThrow();
      const ir = await db
        .selectFrom("files")
        .selectAll()
        .where("id", "=", tones[0]!.irFileId!)
        .executeTakeFirstOrThrow();
      expect(di).toMatchObject({ kind: "di", name: "di.wav", mime: "audio/wav", ownerId: userId });
      expect(di.sha256).toBe(sha256Of(path.join(EXAMPLES, "di.wav")));
      expect(ir).toMatchObject({ kind: "ir", name: "cab-1x12-open.wav", ownerId: userId });
      expect(ir.sha256).toBe(sha256Of(path.join(EXAMPLES, "cab-1x12-open.wav")));
      // The bytes are in the content-addressed store under the recorded key.
      expect(sha256Of(path.join(target.storageDir, di.storageKey))).toBe(di.sha256);

      // Every output the job wrote is in the out dir, byte for byte.
      const outputs = await db.selectFrom("files").selectAll().where("jobId", "=", jobId).execute();
      const local = readdirSync(outDir()).filter((f) => f !== "summary.json");
      expect(local).toHaveLength(outputs.length);
      for (const output of outputs) {
        const name = summary.outputs.find((o: { id: string }) => o.id === output.id)?.path;
        expect(name).toBeDefined();
        expect(sha256Of(path.join(outDir(), name))).toBe(output.sha256);
      }

      // The CLI's own session was short-lived: gone once the command ended.
      const sessions = await db.selectFrom("sessions").select("id").where("userId", "=", userId).execute();
      expect(sessions).toEqual([]);
    });
  });

  it("lists the job with `shootout jobs`, and filters by status", async () => {
    const listed = await cli(["jobs", "--user", username]);
    expect(listed.code, describe(listed)).toBe(0);
    const row = listed.stdout.split("\n").find((l) => l.startsWith(jobId));
    expect(row, listed.stdout).toBeDefined();
    expect(row).toContain("Example shootout");
    expect(row).toContain("completed");
    expect(row).toContain("100%");

    const failed = await cli(["jobs", "--user", userId, "--status", "failed"]);
    expect(failed.code, describe(failed)).toBe(0);
    expect(failed.stdout).toContain("no failed jobs");
    expect(failed.stdout).not.toContain(jobId);
  });

  it("says who is unknown (exit 1) and what a bad option is (exit 2)", async () => {
    const unknown = await cli(["jobs", "--user", "nobody-here"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user "nobody-here"/);

    const badStatus = await cli(["jobs", "--user", username, "--status", "done"]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/--status: "done" is not one of/);
  });
});

group("shootout sessions revoke --all (in-process)", { timeout: 180_000 }, () => {
  it("makes the user's existing bearer token stop working", async () => {
    const token = await target.withDb(async ({ db }) => {
      const { token } = await createSession(db, userId, { userAgent: "a browser" });
      expect(await validateSessionToken(db, token)).not.toBeNull();
      return token;
    });

    const result = await cli(["sessions", "revoke", "--all", "--user", username]);
    expect(result.code, describe(result)).toBe(0);
    expect(result.stdout).toContain(`revoked 1 session of ${username}`);

    await target.withDb(async ({ db }) => {
      expect(await validateSessionToken(db, token)).toBeNull();
    });
  });

  it("refuses an ambiguous revoke (exit 2)", async () => {
    const result = await cli(["sessions", "revoke", "--all", "abc", "--user", username]);
    expect(result.code).toBe(2);
    expect(existsSync(target.dir)).toBe(true);
  });
});
