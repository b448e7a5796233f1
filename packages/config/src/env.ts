import { z } from "zod";

const boolish = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const csv = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()));

/**
 * Every environment variable the product reads, in one place (the README's table is this).
 * Empty strings count as unset, so `FOO=` in a compose file means "use the default".
 */
/** MAX_DI_SECONDS when unset; also what the router and the pipeline assume without configuration. */
export const DEFAULT_MAX_DI_SECONDS = 120;
/** Shortest DI worth rendering (loudness needs at least one 400 ms block); not configurable. */
export const MIN_DI_SECONDS = 0.5;

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The URL users reach the API at (OAuth redirect URI and cookie security derive from it). */
  PUBLIC_URL: z.url().optional(),
  /** Browser origins allowed to call the API (CORS), comma-separated. PUBLIC_URL's origin always is. */
  WEB_ORIGINS: csv.default([]),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  /** Postgres. Unset: embedded PGlite in PGLITE_DATA_DIR, with API + worker in one process. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  PGLITE_DATA_DIR: z.string().min(1).default(".data/pglite"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Where stored bytes (uploads, outputs, cached models) live: `local`, a directory (STORAGE_DIR);
   * `database`, the database itself, for an API and workers on machines that share no disk;
   * `s3`, an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, SeaweedFS, Garage, ...).
   */
  STORAGE_BACKEND: z.enum(["local", "database", "s3"]).default("local"),
  /** Local directory of the content-addressed file store (STORAGE_BACKEND=local). */
  STORAGE_DIR: z.string().min(1).default(".data/storage"),
  /** The S3 API's URL (STORAGE_BACKEND=s3). Unset: AWS S3 itself, in S3_REGION. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  /** The region requests are signed for: AWS's bucket region; `auto` for R2; anything for most others. */
  S3_REGION: z.string().min(1).default("us-east-1"),
  /** The bucket that holds the objects (required with STORAGE_BACKEND=s3; it must exist). */
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 of a-z 0-9 . -)")
    .optional(),
  /** Credentials, both or neither. Neither: the AWS SDK's own chain (AWS_* variables, instance roles). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (endpoint/bucket/key) rather than bucket.endpoint/key. Default: on with S3_ENDPOINT. */
  S3_FORCE_PATH_STYLE: boolish.optional(),
  /**
   * When set, GET /files/:id answers a redirect to a presigned URL of the bucket valid this many
   * seconds, so the bytes go from the bucket to the browser without passing through the API.
   */
  S3_PRESIGN_DOWNLOAD_SECONDS: z.coerce.number().int().min(1).max(604_800).optional(),
  /** The endpoint browsers reach the bucket at, for presigned URLs (default: S3_ENDPOINT). */
  S3_PUBLIC_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),

  /** Session lifetime; each use within the second half of it extends it (sliding expiry). */
  SESSION_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  /** 32 random bytes, base64: encrypts the Tone 3000 tokens kept for users. Generated per run when unset in embedded mode. */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),

  /** Tone 3000. Unset: the bundled local stand-in is started in-process. */
  TONE3000_BASE_URL: z.url().optional(),
  TONE3000_CLIENT_ID: z.string().min(1).optional(),

  /** Renders run at once in one worker process (default: one per core). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /** Run the worker inside the API process (default: on in embedded mode, off with DATABASE_URL). */
  EMBEDDED_WORKER: boolish.optional(),
  /** Seconds a stopping worker lets a running render finish before handing it back. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),

  /** Calls (not HTTP requests) one user or IP may make per minute. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Largest accepted upload, in megabytes. */
  // Below 2 GiB: a file's size is an `integer` column.
  MAX_UPLOAD_MB: z.coerce.number().positive().max(2047).default(100),
  /**
   * Longest DI a shootout takes, in seconds. A render holds every tone of it in memory at once,
   * with its encodings and the joined file: bench:shootout measures ~2 MB of peak RSS per second
   * of rendered audio (12 tones x 120 s: ~3 GB), so the worker's memory sets it.
   */
  MAX_DI_SECONDS: z.coerce.number().positive().max(3600).default(DEFAULT_MAX_DI_SECONDS),

  /**
   * For a developer at their own machine: error answers (tRPC and plain routes) carry stack
   * traces and internal messages, and the CLI prints stacks. Off in every mode unless set, since
   * those name server paths and quote database errors.
   */
  SHOOTOUT_DEBUG: boolish.default(false),
});

/**
 * Variables that only make sense together. Read from the raw values, beside the schema, so these
 * problems are listed in the same message as every other (an object's refinements would not run
 * while another variable is bad).
 */
function crossVariableIssues(source: Record<string, string | undefined>): string[] {
  const issues: string[] = [];
  if (source.STORAGE_BACKEND === "s3" && !source.S3_BUCKET) {
    issues.push("S3_BUCKET: required with STORAGE_BACKEND=s3");
  }
  if (Boolean(source.S3_ACCESS_KEY_ID) !== Boolean(source.S3_SECRET_ACCESS_KEY)) {
    const missing = source.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID";
    issues.push(`${missing}: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together, set both or neither`);
  }
  return issues;
}

export type Env = z.output<typeof envSchema>;

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Parses the environment; throws a ConfigError listing every bad variable with its reason. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  const issues = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)),
    ...crossVariableIssues(cleaned),
  ];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  return parsed.data;
}

/**
 * SHOOTOUT_DEBUG alone, for code that reports a failure and must not fail itself on another bad
 * variable (the CLI's error printer): unset or unreadable counts as off.
 */
export function debugEnabled(source: NodeJS.ProcessEnv = process.env): boolean {
  const value = source.SHOOTOUT_DEBUG;
  const parsed = envSchema.shape.SHOOTOUT_DEBUG.safeParse(value === "" ? undefined : value);
  return parsed.success && parsed.data;
}
