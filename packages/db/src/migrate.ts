import type { Kysely } from "kysely";
import { type MigrationResultSet, Migrator, NO_MIGRATIONS } from "kysely/migration";
import { migrations } from "./migrations/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: the migrator runs before the schema's types mean anything
type AnyDb = Kysely<any>;

function migratorFor(db: AnyDb): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
}

export class MigrationError extends Error {
  readonly results: MigrationResultSet["results"];
  constructor(message: string, results: MigrationResultSet["results"], cause: unknown) {
    super(message, { cause });
    this.name = "MigrationError";
    this.results = results;
  }
}

function unwrap(set: MigrationResultSet, what: string): string[] {
  if (set.error) {
    const failed = set.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const reason = set.error instanceof Error ? set.error.message : String(set.error);
    throw new MigrationError(`${what} failed at ${failed}: ${reason}`, set.results, set.error);
  }
  return (set.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  return unwrap(await migratorFor(db).migrateToLatest(), "migration up");
}

/** Reverts the last applied migration; returns its name (empty when nothing was applied). */
export async function migrateDown(db: AnyDb): Promise<string[]> {
  return unwrap(await migratorFor(db).migrateDown(), "migration down");
}

/** Reverts every applied migration. */
export async function migrateToEmpty(db: AnyDb): Promise<string[]> {
  return unwrap(await migratorFor(db).migrateTo(NO_MIGRATIONS), "migration to empty");
}

/** True when every known migration has been applied and nothing unknown has. */
export async function migrationsAreCurrent(db: AnyDb): Promise<boolean> {
  const infos = await migratorFor(db).getMigrations();
  return infos.length === Object.keys(migrations).length && infos.every((m) => m.executedAt !== undefined);
}
