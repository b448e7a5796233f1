/** The Postgres server tests run against, or undefined to run on embedded PGlite. */
export const testDatabaseUrl: string | undefined = process.env.TEST_DATABASE_URL || undefined;

/** Why a suite that needs several processes on one database is skipped on PGlite. */
export const NEEDS_POSTGRES = "needs TEST_DATABASE_URL (several processes share one database)";

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
