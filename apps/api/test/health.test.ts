import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});

afterAll(async () => {
  await t?.close();
});

describe("health", () => {
  it("/healthz says the process is up", async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz is 200 on a migrated, reachable database and 503 with a reason when migrations are not current", async () => {
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });

    // Forget that the first migration ran: the schema no longer matches what the code expects.
    const applied = await t.database.db
      .selectFrom("kyselyMigration" as never)
      .selectAll()
      .execute();
    await t.database.db.deleteFrom("kyselyMigration" as never).execute();
    try {
      const notReady = await fetch(`${t.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        status: "unavailable",
        reason: "database migrations are not current",
      });
    } finally {
      await t.database.db
        .insertInto("kyselyMigration" as never)
        .values(applied as never)
        .execute();
    }
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it("answers unknown paths and wrong methods with JSON errors", async () => {
    const missing = await fetch(`${t.url}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const wrong = await fetch(`${t.url}/healthz`, { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("GET");
  });

  it("echoes a sane x-request-id and makes one up otherwise", async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
