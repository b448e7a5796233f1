import type { Storage } from "./storage.ts";

export interface CopyResult {
  /** Objects written to the destination. */
  copied: number;
  copiedBytes: number;
  /** Objects the destination already held (same key, same size). */
  present: number;
  /** Keys whose bytes no longer hash to the key: not copied under it (the source is damaged). */
  corrupt: string[];
}

/**
 * Copies every object of one storage into another (moving a deployment from a local directory
 * to the database, or back). Keys are content addresses, so the destination computes each one
 * again while it stores the bytes: an object whose bytes do not match its key is reported, not
 * copied under it. Safe to run again (what is there is skipped) and while the product runs: a
 * put during the copy lands in the source and is copied by the next run.
 */
export async function copyStorage(
  from: Storage,
  to: Storage,
  options: {
    onObject?: (key: string, outcome: "copied" | "present" | "corrupt") => void;
    signal?: AbortSignal;
  } = {},
): Promise<CopyResult> {
  const result: CopyResult = { copied: 0, copiedBytes: 0, present: 0, corrupt: [] };
  for await (const object of from.list()) {
    options.signal?.throwIfAborted();
    const there = await to.stat(object.key);
    if (there && there.size === object.size) {
      result.present++;
      options.onObject?.(object.key, "present");
      continue;
    }
    const stored = await to.put(await from.get(object.key));
    if (stored.key !== object.key) {
      // Valid bytes under their own key: nothing refers to that key, so the sweep removes it.
      result.corrupt.push(object.key);
      options.onObject?.(object.key, "corrupt");
      continue;
    }
    result.copied++;
    result.copiedBytes += stored.size;
    options.onObject?.(object.key, "copied");
  }
  return result;
}
