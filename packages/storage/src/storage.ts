import type { Readable } from "node:stream";

export interface StoredObject {
  /** Where the bytes live; for content-addressed puts, derived from the sha256. */
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/**
 * Where uploads, outputs and cached models live. Deliberately narrow (streams by key) so an
 * S3-compatible backend can replace the local directory when workers run on several machines.
 */
export interface Storage {
  /** Streams `source` in, hashing as it goes; the key is content-addressed. Rejects past `maxBytes`. */
  put(source: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StoredObject>;
  /** The object's bytes, or one inclusive range of them. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size of the object, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored object (not the temporaries of puts in progress), in no particular order. */
  list(): AsyncIterable<ListedObject>;
  /** When the object was last written (a put of the same bytes again renews it), or null. */
  modifiedAt(key: string): Promise<Date | null>;
  /** Removes what puts that never finished (their process died) left before `before`; returns how many. */
  removeAbandoned(before: Date): Promise<number>;
  /**
   * Checks that objects can be stored here (a process calls it as it starts, so a wrong
   * directory or database stops it with the reason instead of failing the first upload).
   * Rejects with StorageError `unavailable`.
   */
  ready(): Promise<void>;
  /**
   * Only where a browser can fetch the bytes from the store itself (S3 with presigned downloads
   * on): a URL that answers the object (and ranges of it) for a while, as a download of `file`.
   */
  downloadUrl?: (key: string, file: { contentType: string; contentDisposition: string }) => Promise<string>;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

export class StorageError extends Error {
  readonly code: "too_large" | "not_found" | "bad_key" | "unavailable";
  constructor(code: StorageError["code"], message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "StorageError";
    this.code = code;
  }
}
