import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { assertContentKey, contentKey, isContentKey } from "./content-key.ts";
import { type ByteRange, type Storage, StorageError, type StoredObject } from "./storage.ts";

/** A directory on local disk, content-addressed: identical bytes are stored once. */
export function createLocalStorage(root: string): Storage {
  const base = path.resolve(root);
  const tmpDir = path.join(base, "tmp");

  function pathOf(key: string): string {
    assertContentKey(key);
    return path.join(base, key);
  }

  return {
    async put(source, options = {}): Promise<StoredObject> {
      const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
      await mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, `${Date.now()}-${randomBytes(6).toString("hex")}`);
      const out = createWriteStream(tmp, { flags: "wx" });
      // Listened to from the start: a stream destroyed with a write in flight (a put refused
      // for size mid-upload) reports ERR_STREAM_DESTROYED as an 'error', which unheard would be
      // an uncaught exception (the process gone) and would never let 'close' come.
      let writeError: Error | null = null;
      out.on("error", (error) => {
        writeError ??= error;
      });
      const hash = createHash("sha256");
      let size = 0;
      try {
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > maxBytes) {
            throw new StorageError("too_large", `more than ${maxBytes} bytes`);
          }
          hash.update(chunk);
          // once() rejects on 'error' too: a failed write does not leave us waiting for a drain.
          if (!out.write(chunk)) await once(out, "drain");
          if (writeError) throw writeError;
        }
        out.end();
        await finished(out);
        const sha256 = hash.digest("hex");
        const key = contentKey(sha256);
        const target = path.join(base, key);
        await mkdir(path.dirname(target), { recursive: true });
        // rename is atomic: a reader sees the whole object or none; the same bytes twice land once.
        await rename(tmp, target);
        return { key, sha256, size };
      } catch (error) {
        // The stream opens its file asynchronously; removing it before the stream has closed
        // can run before the file exists and leave it behind.
        if (!out.closed) {
          const closed = new Promise<void>((resolve) => out.once("close", () => resolve()));
          out.destroy();
          await closed;
        }
        await rm(tmp, { force: true });
        throw error;
      }
    },

    async get(key, range?: ByteRange): Promise<Readable> {
      const file = pathOf(key);
      const info = await stat(file).catch(() => null);
      if (!info) throw new StorageError("not_found", `no object ${key}`);
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },

    async stat(key) {
      const info = await stat(pathOf(key)).catch(() => null);
      return info ? { size: info.size } : null;
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async *list() {
      const root = path.join(base, "sha256");
      for (const prefix of await readdir(root).catch(() => [])) {
        for (const name of await readdir(path.join(root, prefix)).catch(() => [])) {
          const key = `sha256/${prefix}/${name}`;
          if (!isContentKey(key)) continue;
          const info = await stat(path.join(base, key)).catch(() => null);
          if (info?.isFile()) yield { key, size: info.size, modifiedAt: info.mtime };
        }
      }
    },

    async modifiedAt(key) {
      return (await stat(pathOf(key)).catch(() => null))?.mtime ?? null;
    },

    async ready() {
      try {
        await mkdir(tmpDir, { recursive: true });
        const probe = path.join(tmpDir, `ready-${process.pid}-${randomBytes(4).toString("hex")}`);
        await writeFile(probe, "");
        await rm(probe, { force: true });
      } catch (cause) {
        throw new StorageError(
          "unavailable",
          `the storage directory ${base} cannot be written: ${(cause as Error).message}`,
          { cause },
        );
      }
    },

    async removeAbandoned(before) {
      let removed = 0;
      for (const name of await readdir(tmpDir).catch(() => [])) {
        const file = path.join(tmpDir, name);
        const info = await stat(file).catch(() => null);
        if (info && info.mtime < before) {
          await rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
