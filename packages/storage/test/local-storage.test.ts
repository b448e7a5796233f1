import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalStorage } from "../src/local-storage.ts";

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe("local content-addressed storage", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "storage-"));
  const storage = createLocalStorage(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores a stream under its sha256 and reads it back whole or by range", async () => {
    const stored = await storage.put(chunks("hello ", "world"));
    const sha = createHash("sha256").update("hello world").digest("hex");
    expect(stored).toEqual({ key: `sha256/${sha.slice(0, 2)}/${sha}`, sha256: sha, size: 11 });
    expect(await text(await storage.get(stored.key))).toBe("hello world");
    expect(await text(await storage.get(stored.key, { start: 6, end: 10 }))).toBe("world");
    expect(await storage.stat(stored.key)).toEqual({ size: 11 });
  });

  it("stores identical bytes once", async () => {
    const a = await storage.put(chunks("same"));
    const b = await storage.put(chunks("sa", "me"));
    expect(a.key).toBe(b.key);
  });

  it("rejects past maxBytes and leaves no temporary file behind", async () => {
    await expect(storage.put(chunks("0123456789", "abc"), { maxBytes: 12 })).rejects.toMatchObject({
      code: "too_large",
    });
    expect(readdirSync(path.join(dir, "tmp"))).toEqual([]);
  });

  it("leaves no temporary file when the first chunk is already too large (before its file is open)", async () => {
    for (let i = 0; i < 50; i++) {
      await expect(storage.put(chunks("0123456789abc"), { maxBytes: 12 })).rejects.toMatchObject({
        code: "too_large",
      });
    }
    expect(readdirSync(path.join(dir, "tmp"))).toEqual([]);
  });

  it("refuses keys that are not its own (no path traversal)", async () => {
    await expect(storage.get("../../etc/passwd")).rejects.toMatchObject({ code: "bad_key" });
    await expect(storage.stat("sha256/aa/../../x")).rejects.toMatchObject({ code: "bad_key" });
  });

  it("deletes, and a missing object is reported as such", async () => {
    const stored = await storage.put(chunks("bye"));
    await storage.delete(stored.key);
    expect(await storage.stat(stored.key)).toBeNull();
    await expect(storage.get(stored.key)).rejects.toMatchObject({ code: "not_found" });
    await storage.delete(stored.key);
  });

  it("lists what it stores with sizes and times; a put of the same bytes renews the time", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "storage-list-"));
    const own = createLocalStorage(root);
    try {
      const a = await own.put(chunks("alpha"));
      const b = await own.put(chunks("bravo!"));
      const listed = [];
      for await (const o of own.list()) listed.push(o);
      expect(listed.map((o) => `${o.key}:${o.size}`).sort()).toEqual([`${a.key}:5`, `${b.key}:6`].sort());

      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(path.join(root, a.key), hourAgo, hourAgo);
      expect((await own.modifiedAt(a.key))!.getTime()).toBeLessThan(Date.now() - 3_500_000);
      await own.put(chunks("alp", "ha"));
      expect((await own.modifiedAt(a.key))!.getTime()).toBeGreaterThan(Date.now() - 60_000);
      await own.delete(b.key);
      expect(await own.modifiedAt(b.key)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("removes temporaries that puts left behind before a time, and only those", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "storage-abandoned-"));
    const own = createLocalStorage(root);
    try {
      await own.put(chunks("kept"));
      mkdirSync(path.join(root, "tmp"), { recursive: true });
      const stale = path.join(root, "tmp", "1-dead");
      const fresh = path.join(root, "tmp", "2-in-progress");
      writeFileSync(stale, "half an upload");
      writeFileSync(fresh, "still coming");
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(stale, hourAgo, hourAgo);
      expect(await own.removeAbandoned(new Date(Date.now() - 60_000))).toBe(1);
      expect(readdirSync(path.join(root, "tmp"))).toEqual(["2-in-progress"]);
      const listed = [];
      for await (const o of own.list()) listed.push(o.key);
      expect(listed).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
