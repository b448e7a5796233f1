import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NEEDS_POSTGRES, type TestDatabase, testDatabaseUrl } from "@shootout/db/testing";
import { createTestUser } from "@shootout/router/testing";
import { startTestQueue } from "@shootout/worker/testing";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, spawnApi } from "./helpers/api-process.ts";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { upload, uploadedFile } from "./helpers/upload.ts";

// Refills at LIMIT/min: one token per 2 s, so a run of calls taking well under that spends LIMIT.
const LIMIT = 30;

// Two API processes on one Postgres database, as a hosted deployment runs them behind a balancer,
// with a client that alternates between them.
describe.skipIf(!testDatabaseUrl)(`two API processes on one database (${NEEDS_POSTGRES})`, () => {
  let t: TestDatabase;
  let boss: PgBoss;
  let dir: string;
  const apis: ApiProcess[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    ({ t, boss } = await startTestQueue());
    dir = mkdtempSync(path.join(os.tmpdir(), "many-apis-"));
    const env = {
      DATABASE_URL: t.url!,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      STORAGE_DIR: path.join(dir, "storage"),
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
    };
    apis.push(spawnApi(env), spawnApi(env));
    urls = await Promise.all(apis.map((a) => a.url));
  });

  afterAll(async () => {
    for (const { child } of apis) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await Promise.all(apis.map((a) => a.exited));
    await boss?.stop({ graceful: false });
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const me = (url: string, token: string) =>
    fetch(`${url}/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } });

  it("counts one budget per user across both: refused once the combined calls pass the limit", async () => {
    const { user, token } = await createTestUser(t.db);
    const statuses: number[] = [];
    // Twice the limit, alternating: per-process budgets would let every one of them through.
    for (let i = 0; i < 2 * LIMIT; i++) {
      const res = await me(urls[i % 2]!, token);
      statuses.push(res.status);
      if (res.status === 200) {
        expect(
          ((await res.json()) as { result: { data: { user: { id: string } } } }).result.data.user.id,
        ).toBe(user.id);
      } else {
        await res.body?.cancel();
      }
    }
    const allowed = statuses.filter((s) => s === 200).length;
    // One token may have come back while the calls ran; never anywhere near 2 × LIMIT.
    expect(allowed).toBeGreaterThanOrEqual(LIMIT);
    expect(allowed).toBeLessThanOrEqual(LIMIT + 1);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);

    // Both processes refuse now, each with a Retry-After.
    for (const url of urls) {
      const res = await me(url, token);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      await res.body?.cancel();
    }

    // Someone else still has a budget of their own, on either process.
    const other = await createTestUser(t.db);
    for (const url of urls) expect((await me(url, other.token)).status).toBe(200);
  });

  it("uploads on one process and downloads the same bytes from the other", async () => {
    const { token } = await createTestUser(t.db);
    const bytes = wavBytes(256);
    const res = await upload(urls[0]!, token, bytes);
    expect(res.status).toBe(201);
    const file = uploadedFile.parse(await res.json());
    const download = await fetch(`${urls[1]}/files/${file.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });
});
