import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyStorage, createDatabaseStorage, createLocalStorage } from "../src/index.ts";

async function* bytes(value: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(value);
}

describe("copyStorage (a deployment moving its bytes from a directory to the database)", () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), "copy-storage-"));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies every object once, skips what is there, and reports bytes that no longer match their key", async () => {
    const local = createLocalStorage(dir);
    const database = createDatabaseStorage(t.db, { chunkBytes: 4 });
    const a = await local.put(bytes("a DI, several chunks long"));
    const b = await local.put(bytes("an output"));
    const damaged = await local.put(bytes("a model"));
    // Already in the database (a second run, or a put that went to both).
    await database.put(bytes("an output"));
    // Bit rot in the directory: the file under the key holds other bytes now.
    writeFileSync(path.join(dir, damaged.key), "a model, changed on disk");

    const seen: string[] = [];
    const first = await copyStorage(local, database, {
      onObject: (key, outcome) => seen.push(`${outcome}:${key}`),
    });
    expect(first).toEqual({ copied: 1, copiedBytes: 25, present: 1, corrupt: [damaged.key] });
    expect(seen.sort()).toEqual([`copied:${a.key}`, `corrupt:${damaged.key}`, `present:${b.key}`].sort());
    expect(await text(await database.get(a.key))).toBe("a DI, several chunks long");
    expect(await text(await database.get(b.key))).toBe("an output");
    expect(await database.stat(damaged.key)).toBeNull();

    // Again: nothing left to copy; the damage is still reported.
    expect(await copyStorage(local, database)).toEqual({
      copied: 0,
      copiedBytes: 0,
      present: 2,
      corrupt: [damaged.key],
    });
    // And back the other way, into an empty directory.
    const back = createLocalStorage(path.join(dir, "back"));
    const restored = await copyStorage(database, back);
    expect(restored.copied).toBe(await countOf(database));
    expect(await text(await back.get(a.key))).toBe("a DI, several chunks long");
  });
});

async function countOf(storage: { list(): AsyncIterable<unknown> }): Promise<number> {
  let n = 0;
  for await (const _ of storage.list()) n++;
  return n;
}
