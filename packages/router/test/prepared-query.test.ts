import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparedQuery } from "../src/domain/prepared-query.ts";
import { createTestUser } from "../src/testing/index.ts";

describe("preparedQuery", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  it("compiles once and binds each call's own values, next to constants the builder put in", async () => {
    let builds = 0;
    const usersByName = preparedQuery((db, p: { names: string[]; limit: number }) => {
      builds++;
      return db
        .selectFrom("users")
        .select(["id", "username", "tone3000Id"])
        .where("username", "=", sql<string>`any(${p.names})`)
        .where("username", "<>", "nobody")
        .orderBy("username")
        .limit(p.limit);
    });
    const a = await createTestUser(t.db, { username: "prep-a" });
    const b = await createTestUser(t.db, { username: "prep-b" });

    const both = await usersByName(t.db, { names: ["prep-a", "prep-b"], limit: 10 });
    expect(both.map((r) => r.username)).toEqual(["prep-a", "prep-b"]);
    // Results still pass through the handle's CamelCasePlugin.
    expect(both[0]).toEqual({ id: a.user.id, username: "prep-a", tone3000Id: a.user.tone3000Id });
    const one = await usersByName(t.db, { names: ["prep-a", "prep-b"], limit: 1 });
    expect(one.map((r) => r.id)).toEqual([a.user.id]);
    const other = await usersByName(t.db, { names: ["prep-b"], limit: 10 });
    expect(other.map((r) => r.id)).toEqual([b.user.id]);
    expect(builds).toBe(1);

    // A transaction is a handle of its own; it sees its own uncommitted rows.
    await t.db.transaction().execute(async (trx) => {
      const c = await createTestUser(trx, { username: "prep-c" });
      const rows = await usersByName(trx, { names: ["prep-c"], limit: 10 });
      expect(rows.map((r) => r.id)).toEqual([c.user.id]);
    });
    expect(builds).toBe(2);
  });
});
