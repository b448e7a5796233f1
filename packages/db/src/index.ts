export { BOSS_SCHEMA, type BossOptions, bossDbIn, createBoss } from "./boss.ts";
export { type DbConfig, dbConfigSchema } from "./config.ts";
export { type Backend, createDb, type Database } from "./create-db.ts";
export {
  classifyDatabaseError,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
} from "./database-unavailable.ts";
export type * from "./generated/db.ts";
export {
  MigrationError,
  migrateDown,
  migrateToEmpty,
  migrateToLatest,
  migrationsAreCurrent,
} from "./migrate.ts";
