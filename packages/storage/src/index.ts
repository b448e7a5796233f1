export { contentKey } from "./content-key.ts";
export { type CopyResult, copyStorage } from "./copy-storage.ts";
export {
  createDatabaseStorage,
  DATABASE_CHUNK_BYTES,
  type DatabaseStorageOptions,
} from "./database-storage.ts";
export { createLocalStorage } from "./local-storage.ts";
export { putBytes, readObject } from "./object-bytes.ts";
export {
  type ByteRange,
  type ListedObject,
  type Storage,
  StorageError,
  type StoredObject,
} from "./storage.ts";
export { describeStorage, type StorageSettings, storageFromSettings } from "./storage-from-settings.ts";
