import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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
