import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";

describe("router smoke", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  it("auth.me answers for a session token and null when signed out", async () => {
    const { user, token } = await createTestUser(t.db);
    const me = await createTestCaller(t.db, token).auth.me();
    expect(me?.user.id).toBe(user.id);
    expect(await createTestCaller(t.db, null).auth.me()).toBeNull();
  });
});
