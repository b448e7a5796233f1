/** Postgres SQLSTATEs we act on; both pg and PGlite put them on `error.code`. */
export const FOREIGN_KEY_VIOLATION = "23503";

export function hasSqlState(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
