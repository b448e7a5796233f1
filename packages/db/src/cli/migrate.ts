/**
 * `pnpm db:migrate [up|down|reset]` against DATABASE_URL, or the embedded PGlite data directory
 * (PGLITE_DATA_DIR, default .data/pglite) when DATABASE_URL is unset.
 */
import { createDb } from "../create-db.ts";
import { migrateDown, migrateToEmpty, migrateToLatest } from "../migrate.ts";

const command = process.argv[2] ?? "up";
if (!["up", "down", "reset"].includes(command)) {
  console.error(`usage: db:migrate [up|down|reset] (got "${command}")`);
  process.exit(2);
}

const databaseUrl = process.env.DATABASE_URL || undefined;
const database = await createDb({
  databaseUrl,
  pgliteDataDir: process.env.PGLITE_DATA_DIR ?? ".data/pglite",
});
try {
  const applied =
    command === "up"
      ? await migrateToLatest(database.db)
      : command === "down"
        ? await migrateDown(database.db)
        : await migrateToEmpty(database.db);
  const target = databaseUrl ? "postgres" : "pglite";
  console.log(
    applied.length === 0 ? `${target}: nothing to do` : `${target}: ${command} ${applied.join(", ")}`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
