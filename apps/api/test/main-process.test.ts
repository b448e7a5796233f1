import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, migrateToLatest } from "@shootout/db";
import { createTestUser } from "@shootout/router/testing";
import { startS3TestServer } from "@shootout/storage/testing";
import { afterAll, describe, expect, it } from "vitest";
import { wavBytes } from "./helpers/audio-bytes.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves when a stdout line contains `text`. */
  waitForLine(text: string): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node apps/api/src/main.ts` in embedded mode (PGlite) with its data in a fresh temp folder. */
function startMain(env: Record<string, string>): Promise<Started> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "shootout-api-main-"));
  dirs.push(dir);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      PGLITE_DATA_DIR: path.join(dir, "pglite"),
      STORAGE_DIR: path.join(dir, "storage"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) {
      const line = out.split("\n").find((l) => l.includes(w.text));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitForLine = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const line = out.split("\n").find((l) => l.includes(text));
      if (line) return resolve(line);
      waiters.push({ text, resolve });
      void exited.then(({ code }) => {
        if (waiters.some((w) => w.resolve === resolve)) {
          reject(new Error(`exited (${code}) before "${text}":\n${out}\n${err}`));
        }
      });
    });
  return waitForLine("listening on ").then((line) => {
    const url = /listening on (http:\/\/[0-9.]+:\d+)/.exec(line)?.[1];
    if (!url) throw new Error(`no URL in ${line}`);
    return { child, url, waitForLine, exited };
  });
}

describe("main.ts as a child process", () => {
  it("on SIGTERM finishes an in-flight upload, refuses new connections, then exits 0", async () => {
    // Prepare the embedded database the child will open, with a user whose token we hold.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "shootout-api-main-db-"));
    dirs.push(dataDir);
    const pgliteDir = path.join(dataDir, "pglite");
    const database = await createDb({ pgliteDataDir: pgliteDir });
    await migrateToLatest(database.db);
    const { token } = await createTestUser(database.db);
    await database.close();

    const { child, url, waitForLine, exited } = await startMain({
      SHUTDOWN_GRACE_SECONDS: "20",
      PGLITE_DATA_DIR: pgliteDir,
    });
    try {
      // An in-flight upload: the first half of the body, then SIGTERM, then the rest.
      const bytes = wavBytes(4000);
      const target = new URL("/files?kind=di&name=late.wav", url);
      let newConnection: "refused" | "accepted" | null = null;
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          target,
          {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-length": bytes.length },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8").on("data", (c: string) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on("error", reject);
        req.write(bytes.subarray(0, 4000));
        // Hold the rest back until the server has started shutting down.
        void waitForLine('"shutting down"').then(async () => {
          newConnection = await fetch(`${url}/healthz`).then(
            () => "accepted" as const,
            () => "refused" as const,
          );
          req.end(bytes.subarray(4000));
        });
      });
      // Let the upload reach the server (session checked, sniffed, streaming) before the signal.
      await new Promise((r) => setTimeout(r, 500));
      child.kill("SIGTERM");

      const response = await answer;
      expect(newConnection).toBe("refused");
      // The whole upload was taken, not cut off.
      expect(response.status).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({ name: "late.wav", sizeBytes: bytes.length });
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    // Two cold PGlite starts (ours and the child's) on a shared 2-core machine.
  }, 180_000);

  /** main.ts with only `env` (and PATH): its exit code and what it wrote to stderr. */
  async function startAndExit(env: Record<string, string>): Promise<{ code: number | null; err: string }> {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    return { code, err };
  }

  it("exits 1 with a clear message on bad configuration", async () => {
    const { code, err } = await startAndExit({ PORT: "not-a-port", MAX_UPLOAD_MB: "-1" });
    expect(code).toBe(1);
    expect(err).toContain("invalid configuration");
    expect(err).toContain("PORT");
    expect(err).toContain("MAX_UPLOAD_MB");
  });

  it("exits 1 saying why when its storage directory cannot be written", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "api-bad-storage-"));
    try {
      writeFileSync(path.join(dir, "a-file"), "");
      const storageDir = path.join(dir, "a-file", "storage");
      const { code, err } = await startAndExit({
        PORT: "0",
        LOG_LEVEL: "silent",
        PGLITE_DATA_DIR: path.join(dir, "pglite"),
        STORAGE_DIR: storageDir,
      });
      expect(code).toBe(1);
      expect(err).toContain(
        `shootout api: failed to start: the storage directory ${storageDir} cannot be written: ENOTDIR`,
      );
      // One line, no stack.
      expect(err.trim().split("\n")).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 with one line naming the bucket when its S3 storage cannot be used", async () => {
    // The same one line for refused credentials or an unreachable endpoint (each message is
    // tested in packages/storage, against s3rver): here, that main.ts prints it and stops.
    const s3 = await startS3TestServer();
    const dir = mkdtempSync(path.join(os.tmpdir(), "api-bad-s3-"));
    try {
      const { code, err } = await startAndExit({
        PORT: "0",
        LOG_LEVEL: "silent",
        PGLITE_DATA_DIR: path.join(dir, "pglite"),
        STORAGE_DIR: path.join(dir, "storage"),
        ...s3.env,
        S3_BUCKET: "no-such-bucket",
      });
      expect(code, err).toBe(1);
      expect(err.trim().split("\n"), err).toEqual([
        `shootout api: failed to start: the S3 bucket "no-such-bucket" at ${s3.endpoint} does not exist`,
      ]);
    } finally {
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
