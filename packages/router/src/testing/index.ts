import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DB } from "@shootout/db";
import type { JobQueue } from "@shootout/jobs";
import { createLocalStorage } from "@shootout/storage";
import type { Kysely } from "kysely";
import { type CreateContextOptions, createContextInner } from "../context.ts";
import { createSession } from "../domain/sessions.ts";
import { type PublicUser, upsertUserByTone3000Id } from "../domain/users.ts";
import { createCaller } from "../routers/app.ts";

let counter = 0;

/** A real user with a real session (token as a client would hold it). */
export async function createTestUser(
  db: Kysely<DB>,
  overrides: {
    tone3000Id?: string;
    username?: string;
    avatarUrl?: string | null;
    ttlMs?: number;
    /**
     * Whether the user holds a Tone 3000 grant, as everyone who signed in does (default true).
     * The stored values are placeholders no cipher can read: a test that calls Tone 3000 signs a
     * user in through the stand-in instead.
     */
    tone3000Access?: boolean;
  } = {},
): Promise<{ user: PublicUser; token: string }> {
  counter += 1;
  const suffix = `${process.pid}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
  const user = await upsertUserByTone3000Id(db, {
    tone3000Id: overrides.tone3000Id ?? `t3k-${suffix}`,
    username: overrides.username ?? `player-${suffix}`,
    avatarUrl: overrides.avatarUrl ?? null,
  });
  if (overrides.tone3000Access ?? true) {
    await db
      .updateTable("users")
      .set({ t3kAccessToken: "test-placeholder", t3kRefreshToken: "test-placeholder" })
      .where("id", "=", user.id)
      .execute();
  }
  const { token } = await createSession(db, user.id, { ttlMs: overrides.ttlMs, userAgent: "vitest" });
  return { user, token };
}

/**
 * Stands in for "no queue was wired into this test": jobs.* calls fail loudly instead of
 * silently pretending to queue. Tests of jobs.* pass a real queue (createJobQueue over pg-boss).
 */
const noJobQueue: JobQueue = {
  enqueueRender() {
    return Promise.reject(new Error("this test caller has no job queue; pass extras.jobQueue"));
  },
  cancelRender() {
    return Promise.reject(new Error("this test caller has no job queue; pass extras.jobQueue"));
  },
};

/** A caller as `token`'s user (null: signed out), over a context built once, like a WebSocket's. */
export function createTestCaller(
  db: Kysely<DB>,
  token: string | null,
  extras: Partial<Omit<CreateContextOptions, "db" | "sessionToken">> = {},
) {
  const ctx = createContextInner({
    db,
    sessionToken: token,
    storage: extras.storage ?? createLocalStorage(mkdtempSync(path.join(os.tmpdir(), "shootout-router-"))),
    jobQueue: extras.jobQueue ?? noJobQueue,
    ...extras,
  });
  return createCaller(ctx);
}
