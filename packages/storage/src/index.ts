export { createLocalStorage } from "./local-storage.ts";
export { type ByteRange, type Storage, StorageError, type StoredObject } from "./storage.ts";
