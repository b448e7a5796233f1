import type { Database } from "@shootout/db";
import { createDatabaseStorage } from "./database-storage.ts";
import { createLocalStorage } from "./local-storage.ts";
import type { Storage } from "./storage.ts";

export interface StorageSettings {
  /** STORAGE_BACKEND: a local directory, or the database every process already shares. */
  readonly STORAGE_BACKEND: "local" | "database";
  /** STORAGE_DIR: the directory of the local backend. */
  readonly STORAGE_DIR: string;
}

/** The storage the settings ask for: what the API, the worker and the CLI all open alike. */
export function storageFromSettings(
  settings: StorageSettings,
  database: Pick<Database, "db" | "backend">,
): Storage {
  return settings.STORAGE_BACKEND === "database"
    ? createDatabaseStorage(database.db, { writeAsText: database.backend === "pglite" })
    : createLocalStorage(settings.STORAGE_DIR);
}

/** For the start-up log: which backend, and where when that is a directory. */
export function describeStorage(settings: StorageSettings): { storage: string; dir?: string } {
  return settings.STORAGE_BACKEND === "local"
    ? { storage: "local", dir: settings.STORAGE_DIR }
    : { storage: settings.STORAGE_BACKEND };
}
