import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUploadedFile } from "../src/domain/files.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError, newestFirst, seedFile, shootoutInput, tone } from "./helpers.ts";

describe("files", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  it("recordUploadedFile stores an upload; files.get returns it without the storage key", async () => {
    const { user, token } = await createTestUser(t.db);
    const sha256 = randomBytes(32).toString("hex");
    const row = await recordUploadedFile(t.db, {
      ownerId: user.id,
      kind: "di",
      name: "  riff.wav ",
      mime: "audio/wav",
      sizeBytes: 4096,
      sha256,
      storageKey: `sha256/${sha256.slice(0, 2)}/${sha256}`,
      durationMs: 12_000,
      sampleRate: 48000,
      channels: 1,
    });
    expect(row.name).toBe("riff.wav");
    const file = await createTestCaller(t.db, token).files.get({ fileId: row.id });
    expect(file).toEqual({
      id: row.id,
      kind: "di",
      name: "riff.wav",
      mime: "audio/wav",
      sizeBytes: 4096,
      sha256,
      durationMs: 12_000,
      sampleRate: 48000,
      channels: 1,
      jobId: null,
      createdAt: new Date(row.createdAt).toISOString(),
    });
    expect(file).not.toHaveProperty("storageKey");
  });

  it("recordUploadedFile validates what the API hands it", async () => {
    const { user } = await createTestUser(t.db);
    await expect(
      recordUploadedFile(t.db, {
        ownerId: user.id,
        kind: "output" as "di",
        name: "x.wav",
        mime: "audio/wav",
        sizeBytes: 1,
        sha256: "nothex",
        storageKey: "k",
      }),
    ).rejects.toThrow(/sha256|kind/);
  });

  it("another user's file is NOT_FOUND and never listed", async () => {
    const owner = await createTestUser(t.db);
    const stranger = await createTestUser(t.db);
    const file = await seedFile(t.db, owner.user.id, "ir");
    const caller = createTestCaller(t.db, stranger.token);
    await expectTRPCError(caller.files.get({ fileId: file.id }), "NOT_FOUND");
    await expectTRPCError(caller.files.delete({ fileId: file.id }), "NOT_FOUND");
    expect((await caller.files.list({})).items).toEqual([]);
    // Still there for its owner.
    expect((await createTestCaller(t.db, owner.token).files.get({ fileId: file.id })).id).toBe(file.id);
  });

  it("lists by kind", async () => {
    const { user, token } = await createTestUser(t.db);
    const di = await seedFile(t.db, user.id, "di");
    const ir = await seedFile(t.db, user.id, "ir");
    const caller = createTestCaller(t.db, token);
    expect((await caller.files.list({ kind: "di" })).items.map((f) => f.id)).toEqual([di.id]);
    expect((await caller.files.list({ kind: "ir" })).items.map((f) => f.id)).toEqual([ir.id]);
    expect((await caller.files.list({})).items.map((f) => f.id)).toEqual(
      await newestFirst(t.db, "files", [di.id, ir.id]),
    );
    await expectTRPCError(caller.files.list({ kind: "nam" as "di" }), "BAD_REQUEST");
  });

  it("pages 25 files by 10: each once, newest first, cursors stable under inserts", async () => {
    const { user, token } = await createTestUser(t.db);
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await seedFile(t.db, user.id, "ir")).id);
    const caller = createTestCaller(t.db, token);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof caller.files.list>> = await caller.files.list({
        limit: 10,
        cursor,
      });
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor;
      pages += 1;
      // A file uploaded mid-way shows up on no later page.
      if (pages === 1) await seedFile(t.db, user.id, "ir");
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(await newestFirst(t.db, "files", created));
    expect(new Set(seen).size).toBe(25);
  });

  it("defaults to 20 a page and bounds limit to 1..100; rejects a forged cursor", async () => {
    const { user, token } = await createTestUser(t.db);
    for (let i = 0; i < 21; i++) await seedFile(t.db, user.id);
    const caller = createTestCaller(t.db, token);
    const first = await caller.files.list({});
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).not.toBeNull();
    await expectTRPCError(caller.files.list({ limit: 0 }), "BAD_REQUEST");
    await expectTRPCError(caller.files.list({ limit: 101 }), "BAD_REQUEST");
    await expectTRPCError(caller.files.list({ cursor: "bm9wZQ" }), "BAD_REQUEST");
    await expectTRPCError(caller.files.list({ cursor: "!!!" }), "BAD_REQUEST");
  });

  it("delete: CONFLICT while a shootout uses the file (as DI or IR), fine afterwards; outputs refused", async () => {
    const { user, token } = await createTestUser(t.db);
    const caller = createTestCaller(t.db, token);
    const di = await seedFile(t.db, user.id, "di");
    const ir = await seedFile(t.db, user.id, "ir");
    const shootout = await caller.shootouts.create(
      shootoutInput(di.id, { tones: [tone(1, { irFileId: ir.id }), tone(2)] }),
    );

    await expectTRPCError(caller.files.delete({ fileId: di.id }), "CONFLICT");
    await expectTRPCError(caller.files.delete({ fileId: ir.id }), "CONFLICT");
    await caller.shootouts.delete({ shootoutId: shootout.id });
    expect(await caller.files.delete({ fileId: ir.id })).toEqual({ ok: true });
    expect(await caller.files.delete({ fileId: di.id })).toEqual({ ok: true });
    await expectTRPCError(caller.files.get({ fileId: di.id }), "NOT_FOUND");

    // An output belongs to its job.
    const di2 = await seedFile(t.db, user.id, "di");
    const s2 = await caller.shootouts.create(shootoutInput(di2.id));
    const job = await t.db
      .insertInto("jobs")
      .values({ shootoutId: s2.id, ownerId: user.id, status: "completed", finishedAt: sql`now()` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const sha = randomBytes(32).toString("hex");
    const output = await t.db
      .insertInto("files")
      .values({
        ownerId: user.id,
        kind: "output",
        name: "joined.flac",
        mime: "audio/flac",
        sizeBytes: 10,
        sha256: sha,
        storageKey: `sha256/${sha.slice(0, 2)}/${sha}`,
        jobId: job.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect((await caller.files.get({ fileId: output.id })).jobId).toBe(job.id);
    await expectTRPCError(caller.files.delete({ fileId: output.id }), "CONFLICT");
    await expectTRPCError(caller.files.get({ fileId: "nope" }), "BAD_REQUEST");
  });
});
