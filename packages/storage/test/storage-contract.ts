import { createHash, randomBytes } from "node:crypto";
import { buffer, text } from "node:stream/consumers";
import { afterEach, describe, expect, it } from "vitest";
import type { Storage } from "../src/index.ts";

/** One backend under test, fresh and empty, with the hooks the contract needs to look inside. */
export interface StorageUnderTest {
  readonly storage: Storage;
  /** How many temporaries of puts (finished or not) are left. */
  leftovers(): Promise<number>;
  /** Makes the object look last written `ms` ago. */
  backdate(key: string, ms: number): Promise<void>;
  /** Leaves behind what a put whose process died `ms` ago would have. */
  abandonPut(ms: number): Promise<void>;
  /** The bytes of the put in progress cross chunk boundaries past this many bytes (0: no chunks). */
  readonly chunkBytes: number;
  close(): Promise<void>;
}

async function* chunks(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

async function* failingAfter(first: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(first);
  throw new Error("the client went away");
}

async function listed(storage: Storage) {
  const all = [];
  for await (const o of storage.list()) all.push(o);
  return all;
}

/** What every storage backend must do alike: the API, the worker and the sweep rely on it. */
export function storageContract(name: string, make: () => Promise<StorageUnderTest>): void {
  describe(`${name} storage (the contract)`, () => {
    let current: StorageUnderTest | null = null;
    const fresh = async () => {
      current = await make();
      return current;
    };
    afterEach(async () => {
      await current?.close();
      current = null;
    });

    it("is ready to store, and checking leaves nothing behind", async () => {
      const under = await fresh();
      await under.storage.ready();
      await under.storage.ready();
      expect(await under.leftovers()).toBe(0);
      expect(await listed(under.storage)).toEqual([]);
    });

    it("stores a stream under its sha256 and reads it back whole or by range", async () => {
      const { storage } = await fresh();
      const stored = await storage.put(chunks("hello ", "world"));
      const sha = createHash("sha256").update("hello world").digest("hex");
      expect(stored).toEqual({ key: `sha256/${sha.slice(0, 2)}/${sha}`, sha256: sha, size: 11 });
      expect(await text(await storage.get(stored.key))).toBe("hello world");
      expect(await text(await storage.get(stored.key, { start: 6, end: 10 }))).toBe("world");
      expect(await text(await storage.get(stored.key, { start: 0, end: 0 }))).toBe("h");
      expect(await storage.stat(stored.key)).toEqual({ size: 11 });
    });

    it("keeps large objects whole across chunk boundaries, and any range of them", async () => {
      const under = await fresh();
      const size = Math.max(3 * under.chunkBytes + 123, 10_000);
      const bytes = randomBytes(size);
      // Pieces of odd sizes, some larger than a chunk.
      const pieces: Uint8Array[] = [];
      for (
        let at = 0, step = 1;
        at < size;
        at += step, step = (step * 7 + 3) % (2 * under.chunkBytes + 17) || 1
      ) {
        pieces.push(bytes.subarray(at, Math.min(size, at + step)));
      }
      const stored = await under.storage.put(chunks(...pieces));
      expect(stored.size).toBe(size);
      expect(stored.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(Buffer.compare(await buffer(await under.storage.get(stored.key)), bytes)).toBe(0);
      const c = Math.max(1, under.chunkBytes);
      for (const [start, end] of [
        [0, c - 1],
        [c - 1, c],
        [c + 5, 3 * c + 7],
        [size - 10, size - 1],
        [17, 17],
      ] as const) {
        const part = await buffer(await under.storage.get(stored.key, { start, end }));
        expect(Buffer.compare(part, bytes.subarray(start, end + 1))).toBe(0);
      }
      expect(await under.leftovers()).toBe(0);
    });

    it("stores identical bytes once, and leaves nothing of the second put behind", async () => {
      const under = await fresh();
      const a = await under.storage.put(chunks("same"));
      const b = await under.storage.put(chunks("sa", "me"));
      expect(a.key).toBe(b.key);
      expect((await listed(under.storage)).map((o) => o.key)).toEqual([a.key]);
      expect(await under.leftovers()).toBe(0);
    });

    it("rejects past maxBytes and leaves nothing behind, even when the first chunk is too large", async () => {
      const under = await fresh();
      await expect(under.storage.put(chunks("0123456789", "abc"), { maxBytes: 12 })).rejects.toMatchObject({
        code: "too_large",
      });
      // Many times: the race this guards against (the temporary removed before its file was
      // open, so opened afterwards and left behind) shows about once in a hundred tries.
      for (let i = 0; i < 500; i++) {
        await expect(under.storage.put(chunks("0123456789abc"), { maxBytes: 12 })).rejects.toMatchObject({
          code: "too_large",
        });
      }
      expect(await under.leftovers()).toBe(0);
      expect(await listed(under.storage)).toEqual([]);
    });

    it("a source that fails mid-way stores nothing and passes its error on", async () => {
      const under = await fresh();
      await expect(under.storage.put(failingAfter("half a file"))).rejects.toThrow("the client went away");
      expect(await under.leftovers()).toBe(0);
      expect(await listed(under.storage)).toEqual([]);
    });

    it("refuses keys that are not its own (no path traversal)", async () => {
      const { storage } = await fresh();
      await expect(storage.get("../../etc/passwd")).rejects.toMatchObject({ code: "bad_key" });
      await expect(storage.stat("sha256/aa/../../x")).rejects.toMatchObject({ code: "bad_key" });
      await expect(storage.delete("sha256/aa/' or 1=1 --")).rejects.toMatchObject({ code: "bad_key" });
      await expect(storage.modifiedAt("x")).rejects.toMatchObject({ code: "bad_key" });
    });

    it("deletes, and a missing object is reported as such", async () => {
      const { storage } = await fresh();
      const stored = await storage.put(chunks("bye"));
      const other = await storage.put(chunks("stays"));
      await storage.delete(stored.key);
      expect(await storage.stat(stored.key)).toBeNull();
      await expect(storage.get(stored.key)).rejects.toMatchObject({ code: "not_found" });
      await storage.delete(stored.key);
      expect(await text(await storage.get(other.key))).toBe("stays");
    });

    it("lists what it stores with sizes and times; a put of the same bytes renews the time", async () => {
      const under = await fresh();
      const { storage } = under;
      const a = await storage.put(chunks("alpha"));
      const b = await storage.put(chunks("bravo!"));
      expect((await listed(storage)).map((o) => `${o.key}:${o.size}`).sort()).toEqual(
        [`${a.key}:5`, `${b.key}:6`].sort(),
      );
      await under.backdate(a.key, 3_600_000);
      expect((await storage.modifiedAt(a.key))!.getTime()).toBeLessThan(Date.now() - 3_500_000);
      expect((await listed(storage)).find((o) => o.key === a.key)!.modifiedAt.getTime()).toBeLessThan(
        Date.now() - 3_500_000,
      );
      await storage.put(chunks("alp", "ha"));
      expect((await storage.modifiedAt(a.key))!.getTime()).toBeGreaterThan(Date.now() - 60_000);
      await storage.delete(b.key);
      expect(await storage.modifiedAt(b.key)).toBeNull();
    });

    it("removes what puts left behind before a time, and only that", async () => {
      const under = await fresh();
      const kept = await under.storage.put(chunks("kept"));
      await under.backdate(kept.key, 3_600_000);
      await under.abandonPut(3_600_000);
      await under.abandonPut(0);
      expect(await under.leftovers()).toBe(2);
      expect(await under.storage.removeAbandoned(new Date(Date.now() - 60_000))).toBe(1);
      expect(await under.leftovers()).toBe(1);
      expect((await listed(under.storage)).map((o) => o.key)).toEqual([kept.key]);
      expect(await text(await under.storage.get(kept.key))).toBe("kept");
    });
  });
}
