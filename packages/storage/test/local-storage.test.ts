import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLocalStorage } from "../src/local-storage.ts";
import { storageContract } from "./storage-contract.ts";

storageContract("local directory", async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "storage-"));
  const tmp = path.join(root, "tmp");
  const age = (file: string, ms: number) => {
    const at = new Date(Date.now() - ms);
    utimesSync(file, at, at);
  };
  let abandoned = 0;
  return {
    storage: createLocalStorage(root),
    chunkBytes: 0,
    leftovers: async () => readdirSync(tmp, { withFileTypes: true }).length,
    backdate: async (key, ms) => age(path.join(root, key), ms),
    abandonPut: async (ms) => {
      mkdirSync(tmp, { recursive: true });
      const file = path.join(tmp, `${Date.now()}-dead${abandoned++}`);
      writeFileSync(file, "half an upload");
      age(file, ms);
    },
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
});

describe("local directory storage that cannot be used", () => {
  it("says so at ready(), naming the directory and the reason", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "storage-unusable-"));
    try {
      // Under a regular file: no directory can be made there (whoever runs the test).
      writeFileSync(path.join(root, "a-file"), "");
      const dir = path.join(root, "a-file", "storage");
      await expect(createLocalStorage(dir).ready()).rejects.toMatchObject({
        code: "unavailable",
        message: expect.stringMatching(
          new RegExp(`^the storage directory ${dir} cannot be written: ENOTDIR`),
        ),
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("local directory storage refusing an upload mid-write", () => {
  it("refuses a put over its limit while a write is in flight: no uncaught error, no hang, no temporary left", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "storage-limit-"));
    try {
      const storage = createLocalStorage(root);
      async function* source(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(1024);
        // The file is open and the first write done: the next write goes to disk at once...
        await new Promise((resolve) => setTimeout(resolve, 50));
        yield new Uint8Array(1024);
        // ...and this chunk crosses the limit while that write is still in flight.
        yield new Uint8Array(20_000);
      }
      // Destroying a file stream with a write in flight used to end in an 'error' no one listened
      // to (ERR_STREAM_DESTROYED: an uncaught exception, the API process gone) and no 'close'.
      const put = storage.put(source(), { maxBytes: 10_000 });
      const outcome = await Promise.race([
        put.then(
          () => "stored",
          (error: unknown) => (error as { code?: string }).code,
        ),
        new Promise((resolve) => setTimeout(resolve, 3_000, "hung")),
      ]);
      expect(outcome).toBe("too_large");
      expect(readdirSync(path.join(root, "tmp"))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
