import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NEEDS_POSTGRES, testDatabaseUrl } from "@shootout/db/testing";
import { DEFAULT_STAND_IN_CLIENT } from "@shootout/tone3000";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutResultSchema } from "../src/index.ts";
import {
  downloadFile,
  followJob,
  type Harness,
  REPO,
  shortDiWav,
  startHarness,
  uploadFile,
} from "./harness.ts";
import { MODELS } from "./reference.ts";

// The standalone worker (apps/worker/src/main.ts) in its own process, beside an API in this one,
// on one Postgres database: the server mode's wiring with the real pipeline. With the database
// or s3 storage backend the worker gets a directory of its own, as on another machine, and must
// neither need nor touch it: the DI, the models and the outputs all pass through Postgres, or
// through the bucket (s3rver, in the test's process, reached over HTTP).
describe.skipIf(!testDatabaseUrl).each(["local", "database", "s3"] as const)(
  `the worker process renders shootouts, storage %s (${NEEDS_POSTGRES})`,
  (storageBackend) => {
    let h: Harness;
    let child: ChildProcess;
    let output = "";
    let workerDir: string;

    beforeAll(async () => {
      h = await startHarness({ inProcessWorker: false, storageBackend });
      workerDir =
        storageBackend === "local" ? h.storageDir : mkdtempSync(path.join(os.tmpdir(), "worker-elsewhere-"));
      child = spawn(process.execPath, [path.join(REPO, "apps/worker/src/main.ts")], {
        env: {
          ...process.env,
          DATABASE_URL: h.t.url!,
          STORAGE_BACKEND: storageBackend,
          STORAGE_DIR: workerDir,
          ...h.s3?.env,
          TONE3000_BASE_URL: h.standIn.url,
          TONE3000_CLIENT_ID: DEFAULT_STAND_IN_CLIENT.clientId,
          TOKEN_ENCRYPTION_KEY: h.tokenKey,
          WORKER_CONCURRENCY: "1",
          LOG_LEVEL: "info",
          SHUTDOWN_GRACE_SECONDS: "2",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          output += d.toString();
          if (output.includes("worker process ready")) resolve();
        };
        child.stdout?.on("data", onData);
        child.stderr?.on("data", onData);
        child.on("exit", (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
      });
    }, 120_000);

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await h?.close();
      if (workerDir !== h?.storageDir) rmSync(workerDir, { recursive: true, force: true });
    });

    it("downloads the models with the owner's tokens (refreshing an expired one) and completes the job", async () => {
      // The stored access token is dead: the worker must refresh it through Tone 3000's token endpoint.
      h.standIn.oauth.expireAccessToken(h.accessToken);
      const storedBefore = await h.t.db
        .selectFrom("users")
        .select("t3kAccessToken")
        .where("id", "=", h.owner.id)
        .executeTakeFirstOrThrow();
      const diFileId = await uploadFile(h, shortDiWav(1), "di", "take.wav");
      const shootout = await h.client.shootouts.create.mutate({
        name: "server mode",
        diFileId,
        outputFormats: ["flac"],
        tones: [
          {
            tone3000ToneId: MODELS.tinyWaveNet.toneId,
            tone3000ModelId: MODELS.tinyWaveNet.modelId,
            displayName: "Tiny",
          },
          { tone3000ToneId: MODELS.lstm.toneId, tone3000ModelId: MODELS.lstm.modelId, displayName: "LSTM" },
        ],
      });
      const job = await h.client.jobs.create.mutate({ shootoutId: shootout.id });
      const events = await followJob(h.client, job.id);
      const done = await h.client.jobs.get.query({ jobId: job.id });
      expect(done.error, output).toBeNull();
      expect(events.at(-1)?.status).toBe("completed");
      const result = shootoutResultSchema.parse(done.result);
      expect(result.segments.map((s) => s.label)).toEqual(["Tiny", "LSTM"]);
      const flac = await downloadFile(h, result.joined[0]!.fileId);
      expect(flac.byteLength).toBe(result.joined[0]!.sizeBytes);
      const user = await h.t.db
        .selectFrom("users")
        .select("t3kAccessToken")
        .where("id", "=", h.owner.id)
        .executeTakeFirstOrThrow();
      // The refresh stored a new pair (a refresh token is single-use: the worker had to persist it).
      expect(user.t3kAccessToken).not.toBe(storedBefore.t3kAccessToken);
      if (storageBackend !== "local") {
        expect(readdirSync(workerDir)).toEqual([]);
        expect(readdirSync(h.storageDir)).toEqual([]);
        expect(output).toContain(`"storage":"${storageBackend}"`);
      }
      if (storageBackend === "s3") {
        // The outputs the worker wrote are in the bucket, under their content keys.
        const keys = new Set<string>();
        for await (const object of h.storage.list()) keys.add(object.key);
        const outputs = await h.t.db
          .selectFrom("files")
          .select("storageKey")
          .where("kind", "=", "output")
          .execute();
        expect(outputs.length).toBeGreaterThan(0);
        for (const { storageKey } of outputs) expect(keys.has(storageKey), storageKey).toBe(true);
      }
    });
  },
);
