import { z } from "zod";

export const dbConfigSchema = z.object({
  /** Postgres connection string. When absent the database is embedded PGlite. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** PGlite data directory on disk, or "memory://" for a throw-away database. */
  pgliteDataDir: z.string().min(1).default("memory://"),
  /** pg Pool size. */
  poolMax: z.number().int().min(1).max(200).default(10),
  /** Longest wait for a pool connection (connecting, or all in use) before the call fails. */
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(5_000),
  /** Application name reported to Postgres (pg_stat_activity). */
  applicationName: z.string().min(1).default("shootout"),
  /** A migrated PGlite data directory dump to start from (tests use it to skip migrations). */
  pgliteLoadDataDir: z.instanceof(Blob).optional(),
});

export type DbConfig = z.input<typeof dbConfigSchema>;
