import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { getErrorShape, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../src/context.ts";
import { appRouter } from "../src/routers/app.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError, seedFile, shootoutInput } from "./helpers.ts";

/** The error as the API would send it: the router's own formatter applied. */
function shapeOf(error: TRPCError, path: string) {
  return getErrorShape({
    config: appRouter._def._config,
    error,
    type: "mutation",
    path,
    input: undefined,
    ctx: undefined as Context | undefined,
  });
}

describe("error formatter", () => {
  let t: TestDatabase;
  let token: string;
  let userId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    ({
      token,
      user: { id: userId },
    } = await createTestUser(t.db));
  });
  afterAll(async () => {
    await t.close();
  });

  it("puts flattened zod issues of a bad input in data.zodError", async () => {
    const error = await expectTRPCError(
      createTestCaller(t.db, token).shootouts.create({
        name: "",
        diFileId: "not-a-uuid",
        tones: [],
      }),
      "BAD_REQUEST",
    );
    const shape = shapeOf(error, "shootouts.create");
    expect(shape.data.code).toBe("BAD_REQUEST");
    expect(shape.data.httpStatus).toBe(400);
    expect(Object.keys(shape.data.zodError!.fieldErrors).sort()).toEqual(["diFileId", "name", "tones"]);
    expect(shape.data.zodError!.fieldErrors.tones).toEqual(["a shootout needs at least 2 tones"]);
  });

  it("names the field of a file reference the caller may not use, in the same shape", async () => {
    const di = await seedFile(t.db, userId, "di");
    const stranger = await createTestUser(t.db);
    const theirIr = await seedFile(t.db, stranger.user.id, "ir");
    const input = shootoutInput(di.id);
    input.tones[1] = { ...input.tones[1]!, irFileId: theirIr.id };
    const error = await expectTRPCError(createTestCaller(t.db, token).shootouts.create(input), "BAD_REQUEST");
    expect(error.message).toBe("tones.1.irFileId: no such IR file");
    const shape = shapeOf(error, "shootouts.create");
    expect(shape.message).toBe("tones.1.irFileId: no such IR file");
    expect(shape.data.zodError!.fieldErrors).toEqual({ tones: ["tones.1.irFileId: no such IR file"] });
  });

  it("has no zodError on other errors", async () => {
    const error = await expectTRPCError(
      createTestCaller(t.db, token).shootouts.get({ shootoutId: crypto.randomUUID() }),
      "NOT_FOUND",
    );
    const shape = shapeOf(error, "shootouts.get");
    expect(shape.data.zodError).toBeNull();
    expect(shape.data.httpStatus).toBe(404);
    expect(shapeOf(new TRPCError({ code: "UNAUTHORIZED" }), "files.list").data.zodError).toBeNull();
  });

  it("rejects signed-out callers of every protected procedure with UNAUTHORIZED", async () => {
    const anon = createTestCaller(t.db, null);
    const id = crypto.randomUUID();
    const calls: [string, () => Promise<unknown>][] = [
      ["auth.logout", () => anon.auth.logout()],
      ["auth.sessions.list", () => anon.auth.sessions.list()],
      ["auth.sessions.revoke", () => anon.auth.sessions.revoke({ sessionId: "x" })],
      ["files.get", () => anon.files.get({ fileId: id })],
      ["files.list", () => anon.files.list({})],
      ["files.delete", () => anon.files.delete({ fileId: id })],
      ["shootouts.create", () => anon.shootouts.create(shootoutInput(id))],
      ["shootouts.list", () => anon.shootouts.list({})],
      ["shootouts.update", () => anon.shootouts.update({ shootoutId: id })],
      ["shootouts.delete", () => anon.shootouts.delete({ shootoutId: id })],
      ["shootouts.reveal", () => anon.shootouts.reveal({ shootoutId: id })],
      ["jobs.create", () => anon.jobs.create({ shootoutId: id })],
      ["jobs.get", () => anon.jobs.get({ jobId: id })],
      ["jobs.list", () => anon.jobs.list({})],
      ["jobs.cancel", () => anon.jobs.cancel({ jobId: id })],
      ["jobs.retry", () => anon.jobs.retry({ jobId: id })],
      ["jobs.delete", () => anon.jobs.delete({ jobId: id })],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code, name).toBe("UNAUTHORIZED");
    }
    // A garbage token is the same as none.
    await expectTRPCError(createTestCaller(t.db, "garbage").files.list({}), "UNAUTHORIZED");
  });
});
