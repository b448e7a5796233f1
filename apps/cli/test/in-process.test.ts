import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeAudio } from "@shootout/audio";
import { loadEnv } from "@shootout/config";
import {
  createShootoutPipeline,
  SEGMENT_GAP_MS,
  type ShootoutPipeline,
  tone3000ClientsFromEnv,
} from "@shootout/pipeline";
import { createSession, validateSessionToken } from "@shootout/router";
import { createS3Storage, readObject } from "@shootout/storage";
import { startS3TestServer } from "@shootout/storage/testing";
import { createTone3000StandIn, DEFAULT_STAND_IN_CLIENT, type Tone3000StandIn } from "@shootout/tone3000";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { describe, EXAMPLE_CONFIG, EXAMPLES, runCli } from "./helpers/cli.ts";
import { createDatabaseTarget, type DatabaseTarget } from "./helpers/database-target.ts";
import { sha256Of } from "./helpers/files.ts";
import { startTestWorker, type TestWorker } from "./helpers/test-worker.ts";

// The CLI in-process (`--user`): a child process on a real database, rendering with the real
// pipeline. On PGlite it runs its own worker and the Tone 3000 stand-in in-process (nothing else
// can open the database), as `./shootout start` does. On Postgres a worker and a stand-in run
// beside it (TONE3000_BASE_URL), as in production.
let target: DatabaseTarget;
let worker: TestWorker | null = null;
let pipeline: ShootoutPipeline | null = null;
let standIn: Tone3000StandIn | null = null;
let env: Record<string, string> = {};
let userId = "";
const username = "cli-player";

beforeAll(async () => {
  target = await createDatabaseTarget();
  env = { ...target.env };
  if (target.backend === "postgres") {
    standIn = await createTone3000StandIn({});
    env.TONE3000_BASE_URL = standIn.url;
    env.TONE3000_CLIENT_ID = DEFAULT_STAND_IN_CLIENT.clientId;
    const workerPipeline = createShootoutPipeline({
      tone3000: tone3000ClientsFromEnv(loadEnv(env)),
      threads: 2,
    });
    pipeline = workerPipeline;
    worker = await target.withDb((database) =>
      startTestWorker(database, target.storageDir, undefined, workerPipeline),
    );
  }
});

afterAll(async () => {
  await worker?.stop();
  await pipeline?.close();
  await standIn?.close();
  await target?.close();
});

const cli = (args: string[]) => runCli(args, env, target.dir);

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

group("shootout run (in-process)", { timeout: 240_000 }, () => {
  let jobId = "";
  let localId = "";
  const outDir = () => path.join(target.dir, "out");

  it("stops a user without Tone 3000 access before uploading anything (exit 1), saying what to do", async () => {
    const result = await cli(["run", EXAMPLE_CONFIG, "--user", username, "--out", outDir()]);
    expect(result.code, describe(result)).toBe(1);
    if (target.backend === "pglite") {
      // The embedded stand-in approves only its own player: that is who can render here.
      expect(result.stderr).toMatch(
        /cli-player cannot download models \(no Tone 3000 access is stored for it\).*stand-in signs in only its own player "local".*--user local/,
      );
    } else {
      expect(result.stderr).toMatch(
        /cli-player has no working Tone 3000 access \(no Tone 3000 access is stored for it\).*sign in once through the web app, or use --api with a token/,
      );
    }
    expect(existsSync(outDir())).toBe(false);
    await target.withDb(async ({ db }) => {
      const files = await db.selectFrom("files").select("id").where("ownerId", "=", userId).execute();
      expect(files).toEqual([]);
    });
  });

  it("renders the bundled example as the stand-in's player: signs in, follows the job, downloads real audio", async () => {
    if (target.backend === "postgres") {
      // The stand-in is another process's: `shootout login` signs its player in, headlessly.
      const login = await cli(["login"]);
      expect(login.code, describe(login)).toBe(0);
      expect(login.stdout.trim()).toBe("local");
    }
    // On PGlite this is a fresh checkout: no user "local" yet; run signs it in (and so creates it).
    const result = await cli(["run", EXAMPLE_CONFIG, "--user", "local", "--out", outDir()]);
    expect(result.code, describe(result)).toBe(0);
    if (target.backend === "pglite") {
      expect(result.stderr).toMatch(/signed in to the Tone 3000 stand-in as local \(no such user yet\)/);
    } else {
      expect(result.stderr).not.toMatch(/signed in/);
    }
    const done = /job ([0-9a-f-]{36}) completed/.exec(result.stdout);
    expect(done, describe(result)).not.toBeNull();
    jobId = done![1]!;
    // Not a TTY: plain progress lines, ending on the final state.
    expect(result.stdout).toMatch(/\[100%\] completed/);
    // The metrics table, one row per tone.
    expect(result.stdout).toMatch(/1\s+Tiny WaveNet Drive\s+0\.00s/);

    const summary = JSON.parse(readFileSync(path.join(outDir(), "summary.json"), "utf8"));
    expect(summary.job.id).toBe(jobId);
    expect(summary.job.status).toBe("completed");

    await target.withDb(async ({ db }) => {
      // The user the sign-in created (or found) by Tone 3000 id, with its tokens stored encrypted.
      const local = await db
        .selectFrom("users")
        .selectAll()
        .where("tone3000Id", "=", "local-user")
        .executeTakeFirstOrThrow();
      localId = local.id;
      expect(local.username).toBe("local");
      expect(local.t3kAccessToken).toMatch(/^v1\./);
      expect(local.t3kRefreshToken).toMatch(/^v1\./);
      expect(local.t3kTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());

      const job = await db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
      expect(job.status).toBe("completed");
      expect(job.ownerId).toBe(localId);

      const shootout = await db
        .selectFrom("shootouts")
        .selectAll()
        .where("id", "=", job.shootoutId)
        .executeTakeFirstOrThrow();
      expect(shootout).toMatchObject({
        ownerId: localId,
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
      expect(di).toMatchObject({ kind: "di", name: "di.wav", mime: "audio/wav", ownerId: localId });
      expect(di.sha256).toBe(sha256Of(path.join(EXAMPLES, "di.wav")));
      expect(ir).toMatchObject({ kind: "ir", name: "cab-1x12-open.wav", ownerId: localId });
      expect(ir.sha256).toBe(sha256Of(path.join(EXAMPLES, "cab-1x12-open.wav")));
      // The bytes are in the content-addressed store under the recorded key.
      expect(sha256Of(path.join(target.storageDir, di.storageKey))).toBe(di.sha256);

      // The three models came from Tone 3000 with local's tokens, into the shared model cache.
      const cached = await db.selectFrom("modelCache").select("tone3000ModelId").execute();
      expect(cached.map((m) => m.tone3000ModelId).sort()).toEqual(["1002", "1003", "1005"]);

      // Every output the job wrote is in the out dir, byte for byte.
      const outputs = await db.selectFrom("files").selectAll().where("jobId", "=", jobId).execute();
      const downloaded = readdirSync(outDir()).filter((f) => f !== "summary.json");
      expect(downloaded).toHaveLength(outputs.length);
      for (const output of outputs) {
        const name = summary.outputs.find((o: { id: string }) => o.id === output.id)?.path;
        expect(name).toBeDefined();
        expect(sha256Of(path.join(outDir(), name))).toBe(output.sha256);
      }

      // The CLI's own session was short-lived: gone once the command ended.
      const sessions = await db.selectFrom("sessions").select("id").where("userId", "=", localId).execute();
      expect(sessions).toEqual([]);
    });

    // Real audio: the joined file holds three segments of the (trimmed) DI's length, 750 ms of
    // silence between them, each one sounding; the per-tone metrics are measurements.
    const diSeconds = await durationOf(path.join(EXAMPLES, "di.wav"));
    const tones = summary.shootout.tones as Array<{
      startMs: number;
      endMs: number;
      metrics: Record<string, number | boolean>;
    }>;
    expect(tones).toHaveLength(3);
    for (const name of ["Example shootout.wav", "Example shootout.flac"]) {
      const joined = await decodeAudio(new Uint8Array(readFileSync(path.join(outDir(), name))));
      expect(joined.sampleRate).toBe(48000);
      const samples = joined.channels[0]!;
      const seconds = samples.length / joined.sampleRate;
      const segment = (seconds - (2 * SEGMENT_GAP_MS) / 1000) / 3;
      expect(segment).toBeGreaterThan(diSeconds * 0.9); // only silence is trimmed off the DI
      expect(segment).toBeLessThanOrEqual(diSeconds + 0.001);
      expect(tones.at(-1)!.endMs / 1000).toBeCloseTo(seconds, 2);
      const at = (ms: number) => Math.round((ms / 1000) * joined.sampleRate);
      tones.forEach((tone, i) => {
        expect(tone.endMs - tone.startMs).toBeCloseTo(segment * 1000, -1);
        expect(
          rmsDb(samples.subarray(at(tone.startMs), at(tone.endMs))),
          `${name} segment ${i + 1}`,
        ).toBeGreaterThan(-35);
        const next = tones[i + 1];
        if (next) {
          expect(next.startMs - tone.endMs).toBeCloseTo(SEGMENT_GAP_MS, -1);
          expect(peakDb(samples.subarray(at(tone.endMs) + 1, at(next.startMs) - 1))).toBeLessThan(-60);
        }
      });
    }
    for (const tone of tones) {
      for (const [key, value] of Object.entries(tone.metrics)) {
        if (typeof value === "number") expect(Number.isFinite(value), `${key} = ${value}`).toBe(true);
      }
      // normalizeLoudness with targetLufs -18: every tone measured at the target.
      expect(tone.metrics.integratedLufs as number).toBeCloseTo(-18, 0);
      expect(tone.metrics.rms as number).toBeLessThan(0);
    }
  });

  it.runIf(!process.env.TEST_DATABASE_URL)(
    "the next command's stand-in (a new process) still honours the stored grant; a lost one is renewed by signing in again",
    async () => {
      const again = await cli(["run", EXAMPLE_CONFIG, "--user", "local", "--no-wait"]);
      expect(again.code, describe(again)).toBe(0);
      expect(again.stderr).not.toMatch(/signed in/);
      expect(again.stderr).toMatch(/as local \(/);

      // Without the stand-in's state file its grants are gone, as before it kept them: the stored
      // tokens are refused, and run signs the player in again (the same user, new tokens).
      rmSync(path.join(target.dir, "tone3000-stand-in.json"));
      const renewed = await cli(["run", EXAMPLE_CONFIG, "--user", "local", "--no-wait"]);
      expect(renewed.code, describe(renewed)).toBe(0);
      expect(renewed.stderr).toMatch(
        /signed in to the Tone 3000 stand-in as local \(Tone 3000 refused its stored access\)/,
      );

      const login = await cli(["login"]);
      expect(login.code, describe(login)).toBe(0);
      expect(login.stdout.trim()).toBe("local");
      expect(login.stderr).toContain(`as local (${localId})`);
      expect(existsSync(path.join(target.dir, "tone3000-stand-in.json"))).toBe(true);
      expect(existsSync(path.join(target.dir, "token-key"))).toBe(true);
    },
  );

  it("copies the stored bytes into the database with `storage copy`; a second run finds them there", async () => {
    const first = await cli(["storage", "copy", "--to", "database"]);
    expect(first.code, describe(first)).toBe(0);
    const copied = /^copied (\d+) objects \([\d.]+ MB\); 0 were there already$/m.exec(first.stdout);
    expect(copied, describe(first)).not.toBeNull();
    expect(Number(copied![1])).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/now set STORAGE_BACKEND=database on every process/);
    // Every object a row refers to (uploads, outputs, cached models) is in the database now.
    await target.withDb(async ({ db }) => {
      const referenced = await db
        .selectFrom("files")
        .select("storageKey")
        .union(db.selectFrom("modelCache").select("storageKey"))
        .execute();
      const stored = new Set(
        (await db.selectFrom("storageObjects").select("key").execute()).map((r) => r.key),
      );
      expect(referenced.length).toBeGreaterThan(0);
      for (const { storageKey } of referenced) expect(stored.has(storageKey), storageKey).toBe(true);
    });
    const again = await cli(["storage", "copy", "--to", "database"]);
    expect(again.code, describe(again)).toBe(0);
    expect(again.stdout).toContain(`copied 0 objects (0.0 MB); ${copied![1]} were there already`);
    for (const bad of [
      ["storage", "copy"],
      ["storage", "copy", "--to", "tape"],
      // No S3_BUCKET in this environment.
      ["storage", "copy", "--to", "s3"],
      ["storage", "copy", "--to", "local", "--from", "local"],
      ["storage", "move", "--to", "local"],
    ]) {
      const refused = await cli(bad);
      expect(refused.code, describe(refused)).toBe(2);
    }
  });

  it("copies the stored bytes into an S3 bucket with `storage copy --to s3`; a wrong bucket is one line", async () => {
    const s3 = await startS3TestServer();
    try {
      // The deployment still runs on its directory: STORAGE_BACKEND stays unset, S3_* name the bucket.
      const { STORAGE_BACKEND: _, ...bucketEnv } = s3.env;
      const copy = (args: string[], extra: Record<string, string> = {}) =>
        runCli(["storage", "copy", ...args], { ...env, ...bucketEnv, ...extra }, target.dir);
      const first = await copy(["--to", "s3"]);
      expect(first.code, describe(first)).toBe(0);
      expect(first.stderr).toContain(
        `from ${target.storageDir} to the S3 bucket "${s3.bucket}" at ${s3.endpoint}`,
      );
      const copied = /^copied (\d+) objects \([\d.]+ MB\); 0 were there already$/m.exec(first.stdout);
      expect(copied, describe(first)).not.toBeNull();
      expect(first.stderr).toMatch(/now set STORAGE_BACKEND=s3 on every process/);
      const bucket = createS3Storage({
        endpoint: s3.endpoint,
        region: "us-east-1",
        bucket: s3.bucket,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      const referenced = await target.withDb(({ db }) =>
        db
          .selectFrom("files")
          .select("storageKey")
          .union(db.selectFrom("modelCache").select("storageKey"))
          .execute(),
      );
      expect(referenced.length).toBeGreaterThan(0);
      for (const { storageKey } of referenced) {
        const local = readFileSync(path.join(target.storageDir, storageKey));
        expect(Buffer.compare(await readObject(bucket, storageKey), local), storageKey).toBe(0);
      }
      const again = await copy(["--to", "s3"]);
      expect(again.code, describe(again)).toBe(0);
      expect(again.stdout).toContain(`copied 0 objects (0.0 MB); ${copied![1]} were there already`);
      // And from the bucket into the database (--from), where the earlier test put them all.
      const intoDb = await copy(["--from", "s3", "--to", "database"]);
      expect(intoDb.code, describe(intoDb)).toBe(0);
      expect(intoDb.stdout).toContain(`copied 0 objects (0.0 MB); ${copied![1]} were there already`);

      // First-time setup of a self-hosted store: the bucket is made once, then found.
      for (const said of ["created", "there already:"]) {
        const made = await runCli(["storage", "create-bucket"], { ...bucketEnv, S3_BUCKET: "fresh-bucket" });
        expect(made.code, describe(made)).toBe(0);
        expect(made.stdout.trim()).toBe(`${said} the S3 bucket "fresh-bucket" at ${s3.endpoint}`);
      }

      const wrong = await copy(["--to", "s3"], { S3_BUCKET: "no-such-bucket" });
      expect(wrong.code, describe(wrong)).toBe(1);
      expect(wrong.stderr.trim()).toBe(
        `shootout: the S3 bucket "no-such-bucket" at ${s3.endpoint} does not exist`,
      );
    } finally {
      await s3.close();
    }
  });

  it("lists the job with `shootout jobs`, and filters by status", async () => {
    const listed = await cli(["jobs", "--user", "local"]);
    expect(listed.code, describe(listed)).toBe(0);
    const row = listed.stdout.split("\n").find((l) => l.startsWith(jobId));
    expect(row, listed.stdout).toBeDefined();
    expect(row).toContain("Example shootout");
    expect(row).toContain("completed");
    expect(row).toContain("100%");

    const failed = await cli(["jobs", "--user", localId, "--status", "failed"]);
    expect(failed.code, describe(failed)).toBe(0);
    expect(failed.stdout).toContain("no failed jobs");
    expect(failed.stdout).not.toContain(jobId);
  });

  it("a DI it cannot read is refused at upload; one cut short fails its job; each said once, without log lines or stacks", async () => {
    const dir = path.join(target.dir, "bad-di");
    mkdirSync(dir, { recursive: true });
    const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, "utf8")) as { tones: { ir?: string }[] };
    const runWith = async (di: string, bytes: Uint8Array) => {
      writeFileSync(path.join(dir, di), bytes);
      const config = {
        ...example,
        name: `Bad DI ${di}`,
        di,
        outputFormats: ["flac"],
        tones: example.tones.map((tone) => (tone.ir ? { ...tone, ir: path.join(EXAMPLES, tone.ir) } : tone)),
      };
      const file = path.join(dir, `${di}.json`);
      writeFileSync(file, JSON.stringify(config));
      const result = await cli(["run", file, "--user", "local", "--out", path.join(dir, `out-${di}`)]);
      expect(result.code, describe(result)).toBe(1);
      // The CLI says it itself; the worker running inside it keeps its log of it to itself.
      expect(result.stderr).not.toMatch(/"level":/);
      expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/\n\s+at /);
      return `${result.stdout}\n${result.stderr}`;
    };

    // The RIFF/WAVE magic and then no fmt chunk: refused before any shootout or job exists.
    const broken = await runWith("broken.wav", Buffer.from("RIFF\0\0\0\0WAVEjunkjunk", "latin1"));
    expect(broken).toMatch(/broken\.wav: not a usable WAV file: not a readable WAV file/);
    expect(broken).not.toMatch(/job [0-9a-f-]{36}/);
    // Its header promises more than its bytes hold: it uploads (a second of audio is there), and
    // the render refuses it, saying why.
    const whole = readFileSync(path.join(EXAMPLES, "di.wav"));
    const cut = await runWith("cut.wav", whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(cut).toMatch(/failed: The DI file "cut\.wav" cannot be used: WAV is truncated/);
  });

  it("says who is unknown (exit 1) and what a bad option is (exit 2)", async () => {
    const unknown = await cli(["jobs", "--user", "nobody-here"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user "nobody-here"/);
    const unknownRun = await cli(["run", EXAMPLE_CONFIG, "--user", "nobody-here"]);
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toMatch(/no user "nobody-here"/);

    const badStatus = await cli(["jobs", "--user", username, "--status", "done"]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/--status: "done" is not one of/);

    const loginRemote = await cli(["login", "--api", "http://127.0.0.1:9", "--token", "x"]);
    expect(loginRemote.code).toBe(2);
    expect(loginRemote.stderr).toMatch(/login runs in-process/);
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

async function durationOf(file: string): Promise<number> {
  const audio = await decodeAudio(new Uint8Array(readFileSync(file)));
  return audio.channels[0]!.length / audio.sampleRate;
}

function rmsDb(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return 10 * Math.log10(sum / samples.length);
}

function peakDb(samples: Float32Array): number {
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  return 20 * Math.log10(peak);
}
