import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getReadableFile } from "../src/domain/files.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError, seedFile, shootoutInput } from "./helpers.ts";

describe("a shootout's results, for its owner and (when public) for anyone", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  /** An owner's shootout with a finished render: `status` job, its result and one output file. */
  async function rendered(status: "completed" | "failed" = "completed", finishedAt = new Date()) {
    const { user, token } = await createTestUser(t.db);
    const di = await seedFile(t.db, user.id, "di");
    const caller = createTestCaller(t.db, token);
    const shootout = await caller.shootouts.create(shootoutInput(di.id));
    const job = await t.db
      .insertInto("jobs")
      .values({
        shootoutId: shootout.id,
        ownerId: user.id,
        status,
        finishedAt,
        result: JSON.stringify({ version: 1, marker: `${status} at ${finishedAt.toISOString()}` }),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const output = await t.db
      .insertInto("files")
      .values({
        ownerId: user.id,
        kind: "output",
        jobId: job.id,
        name: "joined.flac",
        mime: "audio/flac",
        sizeBytes: 10,
        sha256: "a".repeat(64),
        storageKey: `sha256/aa/${"a".repeat(64)}`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { user, caller, shootout, di, jobId: job.id, outputId: output.id };
  }

  it("the owner gets the newest completed render; nothing rendered is null", async () => {
    const { user, caller, shootout, jobId } = await rendered("completed", new Date(Date.now() - 60_000));
    const latest = await caller.shootouts.latestResult({ shootoutId: shootout.id });
    expect(latest).toMatchObject({ jobId, result: { version: 1 } });
    // A newer completed render wins; a newer failed one does not count.
    const newer = await t.db
      .insertInto("jobs")
      .values({ shootoutId: shootout.id, ownerId: user.id, status: "completed", finishedAt: new Date() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("jobs")
      .values({
        shootoutId: shootout.id,
        ownerId: user.id,
        status: "failed",
        finishedAt: new Date(Date.now() + 1000),
      })
      .execute();
    expect((await caller.shootouts.latestResult({ shootoutId: shootout.id }))?.jobId).toBe(newer.id);

    const fresh = await caller.shootouts.create(
      shootoutInput((await seedFile(t.db, user.id, "di")).id, { name: "not yet" }),
    );
    expect(await caller.shootouts.latestResult({ shootoutId: fresh.id })).toBeNull();
  });

  it("someone else, or nobody signed in: NOT_FOUND while private; the result once public", async () => {
    const { caller, shootout, jobId } = await rendered();
    const other = await createTestUser(t.db);
    const stranger = createTestCaller(t.db, other.token);
    const anonymous = createTestCaller(t.db, null);
    await expectTRPCError(stranger.shootouts.latestResult({ shootoutId: shootout.id }), "NOT_FOUND");
    await expectTRPCError(anonymous.shootouts.latestResult({ shootoutId: shootout.id }), "NOT_FOUND");

    await caller.shootouts.update({ shootoutId: shootout.id, isPublic: true });
    expect((await stranger.shootouts.latestResult({ shootoutId: shootout.id }))?.jobId).toBe(jobId);
    expect((await anonymous.shootouts.latestResult({ shootoutId: shootout.id }))?.jobId).toBe(jobId);
  });

  it("files anyone may download: a public shootout's completed outputs, never uploads or private ones", async () => {
    const done = await rendered();
    const failed = await rendered("failed");
    const other = await createTestUser(t.db);
    for (const s of [done, failed]) {
      // The owner reads all of their own.
      expect((await getReadableFile(t.db, s.user.id, s.outputId)).id).toBe(s.outputId);
      expect((await getReadableFile(t.db, s.user.id, s.di.id)).id).toBe(s.di.id);
    }
    // Private: nobody else.
    await expect(getReadableFile(t.db, other.user.id, done.outputId)).rejects.toThrow(/not found/);
    await expect(getReadableFile(t.db, null, done.outputId)).rejects.toThrow(/not found/);

    await done.caller.shootouts.update({ shootoutId: done.shootout.id, isPublic: true });
    await failed.caller.shootouts.update({ shootoutId: failed.shootout.id, isPublic: true });
    expect((await getReadableFile(t.db, other.user.id, done.outputId)).id).toBe(done.outputId);
    expect((await getReadableFile(t.db, null, done.outputId)).id).toBe(done.outputId);
    // The DI of a public shootout stays its owner's; so do a failed render's leftovers.
    await expect(getReadableFile(t.db, null, done.di.id)).rejects.toThrow(/not found/);
    await expect(getReadableFile(t.db, other.user.id, done.di.id)).rejects.toThrow(/not found/);
    await expect(getReadableFile(t.db, null, failed.outputId)).rejects.toThrow(/not found/);

    // Private again: gone for others at once.
    await done.caller.shootouts.update({ shootoutId: done.shootout.id, isPublic: false });
    await expect(getReadableFile(t.db, null, done.outputId)).rejects.toThrow(/not found/);
  });
});
