export { contentKey } from "./content-key.ts";
export { type CopyResult, copyStorage } from "./copy-storage.ts";
export {
  createDatabaseStorage,
  DATABASE_CHUNK_BYTES,
  type DatabaseStorageOptions,
} from "./database-storage.ts";
export { createLocalStorage } from "./local-storage.ts";
export { putBytes, readObject } from "./object-bytes.ts";
export { describeS3Problem } from "./s3-problem.ts";
export { createS3Storage, S3_PART_BYTES, type S3Storage, type S3StorageOptions } from "./s3-storage.ts";
export {
  type ByteRange,
  type ListedObject,
  type Storage,
  StorageError,
  type StoredObject,
} from "./storage.ts";
export {
  describeStorage,
  type StorageSettings,
  s3OptionsFromSettings,
  storageFromSettings,
  storagePlace,
} from "./storage-from-settings.ts";
