export { createLocalStorage } from "./local-storage.ts";
export {
  type ByteRange,
  type ListedObject,
  type Storage,
  StorageError,
  type StoredObject,
} from "./storage.ts";
