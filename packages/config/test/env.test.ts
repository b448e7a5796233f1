import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../src/env.ts";

describe("loadEnv", () => {
  it("fills defaults for an empty environment (embedded mode)", () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PGLITE_DATA_DIR).toBe(".data/pglite");
    expect(env.WEB_ORIGINS).toEqual([]);
    expect(env.STORAGE_BACKEND).toBe("local");
  });

  it("treats empty strings as unset and coerces numbers and lists", () => {
    const env = loadEnv({ PORT: "8080", DATABASE_URL: "", WEB_ORIGINS: "http://a.test, http://b.test" });
    expect(env.PORT).toBe(8080);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.WEB_ORIGINS).toEqual(["http://a.test", "http://b.test"]);
  });

  it("lists every bad variable with its reason", () => {
    try {
      loadEnv({
        PORT: "eighty",
        DATABASE_URL: "mysql://x",
        TOKEN_ENCRYPTION_KEY: "c2hvcnQ=",
        STORAGE_BACKEND: "s3",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join("\n");
      expect(issues).toMatch(/^PORT: /m);
      expect(issues).toMatch(/^DATABASE_URL: must be a postgres/m);
      expect(issues).toMatch(/^TOKEN_ENCRYPTION_KEY: must be 32 bytes/m);
      expect(issues).toMatch(/^STORAGE_BACKEND: .*"local".*"database"/m);
    }
  });
});
