import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

describe("schema constraints live in the database", () => {
  let t: TestDatabase;
  let userId: string;
  let fileId: string;
  let shootoutId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    const user = await t.db
      .insertInto("users")
      .values({ tone3000Id: "u1", username: "one" })
      .returning("id")
      .executeTakeFirstOrThrow();
    userId = user.id;
    const file = await t.db
      .insertInto("files")
      .values({
        ownerId: userId,
        kind: "di",
        name: "di.wav",
        mime: "audio/wav",
        sizeBytes: 10,
        sha256: "a".repeat(64),
        storageKey: "aa/aaaa",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    fileId = file.id;
    const shootout = await t.db
      .insertInto("shootouts")
      .values({ ownerId: userId, name: "s", diFileId: fileId })
      .returning("id")
      .executeTakeFirstOrThrow();
    shootoutId = shootout.id;
  });
  afterAll(() => t.close());

  const tone = (position: number) => ({
    shootoutId,
    position,
    tone3000ToneId: "1",
    tone3000ModelId: "2",
    displayName: `tone ${position}`,
  });

  it("keeps tone positions unique per shootout and within 0..11", async () => {
    await t.db
      .insertInto("toneSelections")
      .values([tone(0), tone(1)])
      .execute();
    await expect(t.db.insertInto("toneSelections").values(tone(1)).execute()).rejects.toThrow(
      /tone_selections_position_unique/,
    );
    await expect(t.db.insertInto("toneSelections").values(tone(12)).execute()).rejects.toThrow(
      /tone_selections_position/,
    );
  });

  it("rejects unknown job statuses, progress outside 0..100, and a second active job", async () => {
    await expect(
      t.db
        .insertInto("jobs")
        // biome-ignore lint/suspicious/noExplicitAny: deliberately bypassing the types to reach the check
        .values({ shootoutId, ownerId: userId, status: "exploded" as any })
        .execute(),
    ).rejects.toThrow(/jobs_status/);
    await expect(
      t.db.insertInto("jobs").values({ shootoutId, ownerId: userId, progress: 101 }).execute(),
    ).rejects.toThrow(/jobs_progress/);

    const first = await t.db
      .insertInto("jobs")
      .values({ shootoutId, ownerId: userId, status: "queued" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(
      t.db.insertInto("jobs").values({ shootoutId, ownerId: userId, status: "pending" }).execute(),
    ).rejects.toThrow(/jobs_one_active_per_shootout/);
    await t.db.updateTable("jobs").set({ status: "completed" }).where("id", "=", first.id).execute();
    await t.db.insertInto("jobs").values({ shootoutId, ownerId: userId, status: "pending" }).execute();
  });

  it("orders job events by a per-job sequence and refuses duplicates", async () => {
    const job = await t.db
      .insertInto("jobs")
      .values({ shootoutId, ownerId: userId, status: "completed" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("jobEvents")
      .values({ jobId: job.id, seq: 1, status: "queued", progress: 0 })
      .execute();
    await expect(
      t.db
        .insertInto("jobEvents")
        .values({ jobId: job.id, seq: 1, status: "running", progress: 5 })
        .execute(),
    ).rejects.toThrow(/job_events_pkey/);
  });

  it("refuses an output file without a job and a DI file still used by a shootout", async () => {
    await expect(
      t.db
        .insertInto("files")
        .values({
          ownerId: userId,
          kind: "output",
          name: "x.flac",
          mime: "audio/flac",
          sizeBytes: 1,
          sha256: "b".repeat(64),
          storageKey: "bb/bbbb",
        })
        .execute(),
    ).rejects.toThrow(/files_output_has_job/);
    await expect(t.db.deleteFrom("files").where("id", "=", fileId).execute()).rejects.toThrow(/foreign key/i);
  });

  it("cascades a user's deletion to everything they own", async () => {
    const other = await t.db
      .insertInto("users")
      .values({ tone3000Id: "u2", username: "two" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("sessions")
      .values({
        id: "s1",
        userId: other.id,
        secretHash: new Uint8Array(32),
        expiresAt: new Date(Date.now() + 1000),
      })
      .execute();
    await t.db.deleteFrom("users").where("id", "=", other.id).execute();
    const left = await sql<{ n: number }>`select count(*) as n from sessions`.execute(t.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
