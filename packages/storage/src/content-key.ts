import { StorageError } from "./storage.ts";

const KEY_PATTERN = /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

/** The key of content-addressed bytes: `sha256/<first two hex digits>/<sha256>`, on every backend. */
export function contentKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}

export function isContentKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Refuses anything but a content key (a key reaches a path or a query: no traversal, no surprises). */
export function assertContentKey(key: string): void {
  if (!isContentKey(key)) throw new StorageError("bad_key", `not a storage key: ${key}`);
}
