import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { DB } from "@shootout/db";
import { type Kysely, sql } from "kysely";
import { assertContentKey, contentKey } from "./content-key.ts";
import {
  type ByteRange,
  type ListedObject,
  type Storage,
  StorageError,
  type StoredObject,
} from "./storage.ts";

/** Bytes per stored chunk: big enough that a 25 MB output is 25 inserts, small enough to stream. */
export const DATABASE_CHUNK_BYTES = 1024 * 1024;
/** Chunks read per query while streaming an object out (memory held per reader: this many MiB). */
const CHUNKS_PER_READ = 4;
const LIST_PAGE = 500;
// BYTES_AS_TEXT: chunks are read as base64 text, encoded by the database, not as bytea results;
// on PGlite they are written so too. Measured here (bench:storage), PGlite took ~160 ms a MiB for
// a bytea parameter and ~18 ms as base64, and read 14 MB/s as bytea against 186 as base64. On
// Postgres reads are even either way (base64 is a third smaller than bytea's hex), but writes of
// bytea parameters ran 174 MB/s against 80 as base64, so Postgres keeps them.

export interface DatabaseStorageOptions {
  /** Bytes per chunk (tests use small ones to cross chunk boundaries cheaply). */
  chunkBytes?: number;
  /** Send chunks as base64 text (PGlite: see BYTES_AS_TEXT) rather than bytea parameters (Postgres). */
  writeAsText?: boolean;
}

/**
 * Stored bytes in the database (STORAGE_BACKEND=database): the API and any number of workers on
 * any number of machines share them through Postgres alone, as they share everything else.
 * Content-addressed like the local directory: identical bytes are stored once under their sha256.
 * A put streams into a blob of its own, chunk by chunk (never the whole object in memory, never
 * one long transaction), and only then names it by its key; a second put of the same bytes drops
 * its blob and renews the object. A put whose process died leaves a nameless blob, which
 * `removeAbandoned` clears.
 */
export function createDatabaseStorage(db: Kysely<DB>, options: DatabaseStorageOptions = {}): Storage {
  const chunkBytes = options.chunkBytes ?? DATABASE_CHUNK_BYTES;

  const objectNamed = (key: string) => {
    assertContentKey(key);
    return db
      .selectFrom("storageObjects")
      .select(["blobId", "size", "modifiedAt"])
      .where("key", "=", key)
      .executeTakeFirst();
  };

  const dropBlob = async (blobId: string) => {
    await db.deleteFrom("storageBlobs").where("id", "=", blobId).execute();
  };

  async function* readChunks(key: string, blobId: string, size: number, range?: ByteRange) {
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    if (end < start) return;
    const last = Math.floor(end / chunkBytes);
    // The first read takes one chunk: many readers (a header probe, a player's first request)
    // stop after it.
    for (
      let first = Math.floor(start / chunkBytes), batch = 1;
      first <= last;
      first += batch, batch = CHUNKS_PER_READ
    ) {
      const upTo = Math.min(last, first + batch - 1);
      // Only the wanted bytes of each chunk leave the database: chunks are stored uncompressed,
      // so substring() reads just the slices it needs. As base64 text (see BYTES_AS_TEXT).
      const rows = await db
        .selectFrom("storageChunks")
        .select("index")
        .select(
          sql<string>`encode(substring(bytes from greatest(0, ${start} - index * ${chunkBytes}) + 1 for least(${chunkBytes}, ${end} - index * ${chunkBytes} + 1) - greatest(0, ${start} - index * ${chunkBytes})), 'base64')`.as(
            "base64",
          ),
        )
        .where("blobId", "=", blobId)
        .where("index", ">=", first)
        .where("index", "<=", upTo)
        .orderBy("index")
        .execute();
      if (rows.length !== upTo - first + 1) {
        // Deleted while it was being read.
        throw new StorageError("not_found", `object ${key} went away while being read`);
      }
      // Node's base64 decoder skips the line breaks encode() puts in.
      for (const row of rows) yield Buffer.from(row.base64, "base64");
    }
  }

  return {
    async put(source, putOptions = {}): Promise<StoredObject> {
      const maxBytes = putOptions.maxBytes ?? Number.POSITIVE_INFINITY;
      const blob = await db
        .insertInto("storageBlobs")
        .defaultValues()
        .returning("id")
        .executeTakeFirstOrThrow();
      const hash = createHash("sha256");
      let size = 0;
      let index = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const writeChunk = async (bytes: Uint8Array) => {
        const value = options.writeAsText
          ? sql<Uint8Array>`decode(${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}, 'base64')`
          : bytes;
        await db.insertInto("storageChunks").values({ blobId: blob.id, index, bytes: value }).execute();
        index++;
      };
      try {
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new StorageError("too_large", `more than ${maxBytes} bytes`);
          hash.update(chunk);
          pending.push(chunk);
          pendingBytes += chunk.byteLength;
          if (pendingBytes >= chunkBytes) {
            const joined = Buffer.concat(pending, pendingBytes);
            let at = 0;
            for (; joined.byteLength - at >= chunkBytes; at += chunkBytes) {
              await writeChunk(joined.subarray(at, at + chunkBytes));
            }
            pending = at < joined.byteLength ? [joined.subarray(at)] : [];
            pendingBytes = joined.byteLength - at;
          }
        }
        if (pendingBytes > 0) await writeChunk(Buffer.concat(pending, pendingBytes));
        const sha256 = hash.digest("hex");
        const key = contentKey(sha256);
        const named = await db
          .insertInto("storageObjects")
          .values({ key, blobId: blob.id, size, sha256 })
          .onConflict((oc) => oc.column("key").doUpdateSet({ modifiedAt: sql`now()` }))
          .returning("blobId")
          .executeTakeFirstOrThrow();
        // The same bytes were there already: theirs stay, this copy goes.
        if (named.blobId !== blob.id) await dropBlob(blob.id);
        return { key, sha256, size };
      } catch (error) {
        await dropBlob(blob.id);
        throw error;
      }
    },

    async get(key, range?: ByteRange): Promise<Readable> {
      const object = await objectNamed(key);
      if (!object) throw new StorageError("not_found", `no object ${key}`);
      return Readable.from(readChunks(key, object.blobId, Number(object.size), range), { objectMode: false });
    },

    async stat(key) {
      const object = await objectNamed(key);
      return object ? { size: Number(object.size) } : null;
    },

    async delete(key) {
      assertContentKey(key);
      // The blob's deletion takes its chunks and the object row with it (cascade).
      await db
        .deleteFrom("storageBlobs")
        .where("id", "=", (eb) => eb.selectFrom("storageObjects").select("blobId").where("key", "=", key))
        .execute();
    },

    async *list(): AsyncIterable<ListedObject> {
      let after: string | null = null;
      for (;;) {
        const from: string | null = after;
        const rows = await db
          .selectFrom("storageObjects")
          .select(["key", "size", "modifiedAt"])
          .$if(from !== null, (q) => q.where("key", ">", from!))
          .orderBy("key")
          .limit(LIST_PAGE)
          .execute();
        for (const row of rows)
          yield { key: row.key, size: Number(row.size), modifiedAt: new Date(row.modifiedAt) };
        if (rows.length < LIST_PAGE) return;
        after = rows.at(-1)!.key;
      }
    },

    async modifiedAt(key) {
      const object = await objectNamed(key);
      return object ? new Date(object.modifiedAt) : null;
    },

    async ready() {
      try {
        await db.selectFrom("storageObjects").select("key").limit(1).execute();
      } catch (cause) {
        throw new StorageError(
          "unavailable",
          `the database storage cannot be read (are migrations applied?): ${(cause as Error).message}`,
          { cause },
        );
      }
    },

    async removeAbandoned(before) {
      const removed = await db
        .deleteFrom("storageBlobs")
        .where("startedAt", "<", before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("storageObjects")
                .select("key")
                .whereRef("storageObjects.blobId", "=", "storageBlobs.id"),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(removed.numDeletedRows);
    },
  };
}
