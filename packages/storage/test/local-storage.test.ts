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
