import { describe, expect, it } from "vitest";
import { ConfigError, debugEnabled, loadEnv } from "../src/env.ts";

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
        STORAGE_BACKEND: "disk",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join("\n");
      expect(issues).toMatch(/^PORT: /m);
      expect(issues).toMatch(/^DATABASE_URL: must be a postgres/m);
      expect(issues).toMatch(/^TOKEN_ENCRYPTION_KEY: must be 32 bytes/m);
      expect(issues).toMatch(/^STORAGE_BACKEND: .*"local".*"database".*"s3"/m);
    }
  });

  it("takes the S3 settings, and lists what is missing or wrong about them with everything else", () => {
    const env = loadEnv({
      STORAGE_BACKEND: "s3",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_BUCKET: "shootout",
      S3_ACCESS_KEY_ID: "id",
      S3_SECRET_ACCESS_KEY: "secret",
      S3_FORCE_PATH_STYLE: "on",
      S3_PRESIGN_DOWNLOAD_SECONDS: "300",
    });
    expect(env).toMatchObject({
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: true,
      S3_PRESIGN_DOWNLOAD_SECONDS: 300,
    });
    try {
      loadEnv({
        PORT: "eighty",
        STORAGE_BACKEND: "s3",
        S3_ENDPOINT: "ftp://store",
        S3_ACCESS_KEY_ID: "id",
        S3_FORCE_PATH_STYLE: "sometimes",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues;
      expect(issues).toEqual([
        expect.stringMatching(/^PORT: /),
        "S3_ENDPOINT: must be an http:// or https:// URL",
        expect.stringMatching(/^S3_FORCE_PATH_STYLE: /),
        "S3_BUCKET: required with STORAGE_BACKEND=s3",
        "S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together, set both or neither",
      ]);
    }
    expect(() => loadEnv({ S3_BUCKET: "Not_A_Bucket" })).toThrow(/S3_BUCKET: must be an S3 bucket name/);
  });

  it("keeps SHOOTOUT_DEBUG off unless a developer turns it on, whatever NODE_ENV says", () => {
    expect(loadEnv({}).SHOOTOUT_DEBUG).toBe(false);
    expect(loadEnv({ NODE_ENV: "development" }).SHOOTOUT_DEBUG).toBe(false);
    expect(loadEnv({ SHOOTOUT_DEBUG: "1" }).SHOOTOUT_DEBUG).toBe(true);
    expect(loadEnv({ SHOOTOUT_DEBUG: "off" }).SHOOTOUT_DEBUG).toBe(false);
    expect(() => loadEnv({ SHOOTOUT_DEBUG: "maybe" })).toThrow(ConfigError);
    // The CLI's error printer reads it alone, and never fails on it.
    expect(debugEnabled({ SHOOTOUT_DEBUG: "true" })).toBe(true);
    expect(debugEnabled({ SHOOTOUT_DEBUG: "maybe", PORT: "eighty" })).toBe(false);
    expect(debugEnabled({ SHOOTOUT_DEBUG: "" })).toBe(false);
  });

  it("keeps the largest upload below what a file's integer size column holds", () => {
    expect(loadEnv({ MAX_UPLOAD_MB: "2047" }).MAX_UPLOAD_MB).toBe(2047);
    expect(() => loadEnv({ MAX_UPLOAD_MB: "2048" })).toThrow(ConfigError);
  });
});
