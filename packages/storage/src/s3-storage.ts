import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertContentKey, contentKey, isContentKey } from "./content-key.ts";
import { describeS3Problem, isS3NotFound, s3FailureOf } from "./s3-problem.ts";
import {
  type ByteRange,
  type ListedObject,
  type Storage,
  StorageError,
  type StoredObject,
} from "./storage.ts";

/**
 * Bytes per multipart part, and the most of a put held before the first request: a put that ends
 * within it is one PutObject straight under its key. S3 takes parts of 5 MiB at least.
 */
export const S3_PART_BYTES = 8 * 1024 * 1024;
/** Parts of one put in flight at once (memory per put: this many parts). */
const PARTS_IN_FLIGHT = 2;
/** Puts in progress live here until their bytes are hashed and copied under their key. */
const TMP_PREFIX = "tmp/";
const CONTENT_PREFIX = "sha256/";
/** Streams of bytes, as the other backends answer (not object mode). */
const BYTES = { objectMode: false } as const;

export interface S3StorageOptions {
  /** The S3 API's URL; unset: AWS S3 in `region`. */
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly bucket: string;
  /** Unset: the SDK's own chain (AWS_* variables, shared config, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** endpoint/bucket/key URLs (most self-hosted stores) rather than bucket.endpoint/key. */
  readonly forcePathStyle?: boolean | undefined;
  /** Bytes per part (at least 5 MiB; tests use the minimum to cross part boundaries cheaply). */
  readonly partBytes?: number | undefined;
  /** How long ready() waits for the store, retries included (default 20 s). */
  readonly readyTimeoutMs?: number | undefined;
  /** Presigned download URLs: valid this many seconds, signed for the endpoint browsers reach. */
  readonly presign?: { readonly seconds: number; readonly publicEndpoint?: string | undefined } | undefined;
}

/**
 * Stored bytes in an S3-compatible bucket (STORAGE_BACKEND=s3): AWS S3, Cloudflare R2, MinIO,
 * SeaweedFS, Garage. Content-addressed like the other backends, under the same keys. The key is
 * the sha256, known only once the last byte has passed, so a put that fits in one part is held
 * and sent with one PutObject under its key; a larger one streams as a multipart upload (parts in
 * flight at once: PARTS_IN_FLIGHT, never the whole object) to a temporary key, is then copied
 * under its key inside the store, and the temporary is removed. A put of bytes already stored
 * writes them again, which renews their time (the sweep's grace hour starts anew). What a put
 * whose process died leaves (a temporary, or an unfinished multipart upload) is cleared by
 * `removeAbandoned`.
 */
export interface S3Storage extends Storage {
  /** Where objects live, for logs and messages: the endpoint and the bucket. */
  readonly where: { readonly endpoint: string; readonly bucket: string };
  /** Creates the bucket (first-time setup of a self-hosted store); one that is there already is fine. */
  createBucket(): Promise<"created" | "existed">;
}

export function createS3Storage(options: S3StorageOptions): S3Storage {
  const { bucket } = options;
  const partBytes = options.partBytes ?? S3_PART_BYTES;
  const endpoint = options.endpoint ?? `https://s3.${options.region}.amazonaws.com`;
  const where = { endpoint, bucket };
  const clientConfig = (url: string | undefined): S3ClientConfig => ({
    region: options.region,
    ...(url ? { endpoint: url } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Our own sha256 checks every byte. The SDK's default CRC trailers (aws-chunked bodies) are
    // not understood by every S3-compatible store, so checksums are sent only where required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A store that takes the connection and never answers must not hang a put or a download:
    // connecting gets 5 s, an answer's headers 2 min (a part's upload included), a stalled
    // socket 2 min.
    requestHandler: {
      connectionTimeout: 5_000,
      requestTimeout: 120_000,
      throwOnRequestTimeout: true,
      socketTimeout: 120_000,
    },
  });
  const client = new S3Client(clientConfig(options.endpoint));
  const presignClient = options.presign
    ? new S3Client(clientConfig(options.presign.publicEndpoint ?? options.endpoint))
    : null;

  const removeQuietly = async (key: string) => {
    // A temporary that cannot be removed now is removed by the sweep (removeAbandoned).
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
  };

  async function* listing(prefix: string) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  const head = async (key: string) => {
    assertContentKey(key);
    try {
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isS3NotFound(error)) return null;
      throw error;
    }
  };

  const storage: S3Storage = {
    where,

    async createBucket() {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        return "created";
      } catch (error) {
        const { name } = s3FailureOf(error);
        if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return "existed";
        throw new StorageError("unavailable", describeS3Problem(error, where), { cause: error });
      }
    },

    async put(source, putOptions = {}): Promise<StoredObject> {
      const maxBytes = putOptions.maxBytes ?? Number.POSITIVE_INFINITY;
      const hash = createHash("sha256");
      let size = 0;
      const take = (chunk: Uint8Array) => {
        size += chunk.byteLength;
        if (size > maxBytes) throw new StorageError("too_large", `more than ${maxBytes} bytes`);
        hash.update(chunk);
        return chunk;
      };
      const chunks = source[Symbol.asyncIterator]();
      const held: Uint8Array[] = [];
      let heldBytes = 0;
      try {
        for (;;) {
          if (heldBytes >= partBytes) break;
          const next = await chunks.next();
          if (next.done) {
            // All of it fits in one part: its key is known before anything is sent.
            const sha256 = hash.digest("hex");
            const key = contentKey(sha256);
            await client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: Buffer.concat(held, heldBytes),
                ContentLength: size,
              }),
            );
            return { key, sha256, size };
          }
          held.push(take(next.value));
          heldBytes += next.value.byteLength;
        }
      } catch (error) {
        await chunks.return?.();
        throw error;
      }

      // Larger: a multipart upload under a temporary key, then a copy under the real one.
      const tmpKey = `${TMP_PREFIX}${Date.now()}-${randomBytes(6).toString("hex")}`;
      // The source's own failure (or too_large) is what the caller must see, not what the store
      // answered to the upload's abort.
      let sourceError: unknown = null;
      async function* body() {
        yield* held;
        held.length = 0;
        try {
          for (;;) {
            const next = await chunks.next();
            if (next.done) return;
            yield take(next.value);
          }
        } catch (error) {
          sourceError = error;
          await chunks.return?.();
          throw error;
        }
      }
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: tmpKey, Body: Readable.from(body(), { objectMode: false }) },
        partSize: partBytes,
        queueSize: PARTS_IN_FLIGHT,
      });
      try {
        await upload.done();
      } catch (error) {
        await removeQuietly(tmpKey);
        throw sourceError ?? error;
      }
      try {
        const sha256 = hash.digest("hex");
        const key = contentKey(sha256);
        await client.send(
          new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${tmpKey}` }),
        );
        return { key, sha256, size };
      } finally {
        await removeQuietly(tmpKey);
      }
    },

    async get(key, range?: ByteRange): Promise<Readable> {
      assertContentKey(key);
      let answer: GetObjectCommandOutput;
      try {
        answer = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
      } catch (error) {
        if (isS3NotFound(error)) throw new StorageError("not_found", `no object ${key}`, { cause: error });
        // A range that starts past the end: nothing, as the other backends answer.
        if (range && s3FailureOf(error).name === "InvalidRange") return Readable.from([], BYTES);
        throw error;
      }
      const body = answer.Body as Readable;
      if (!range) return body;
      // What was asked for, whatever the store sent: some send more than a range (the whole
      // object for a range of one byte), or ignore Range altogether.
      const served = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(answer.ContentRange ?? "");
      if (!served) return Readable.from(slice(body, range.start, range.end - range.start + 1), BYTES);
      const [from, to] = [Number(served[1]), Number(served[2])];
      if (from !== range.start) {
        body.destroy();
        throw new Error(
          `the S3 store answered bytes ${from}-${to} of ${key} for ${range.start}-${range.end}`,
        );
      }
      const wanted = Math.min(range.end, to) - range.start + 1;
      return to - from + 1 > wanted ? Readable.from(slice(body, 0, wanted), BYTES) : body;
    },

    async stat(key) {
      const answer = await head(key);
      return answer ? { size: answer.ContentLength ?? 0 } : null;
    },

    async delete(key) {
      assertContentKey(key);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async *list(): AsyncIterable<ListedObject> {
      for await (const object of listing(CONTENT_PREFIX)) {
        if (isContentKey(object.key))
          yield { key: object.key, size: object.size, modifiedAt: object.modifiedAt ?? new Date(0) };
      }
    },

    async modifiedAt(key) {
      return (await head(key))?.LastModified ?? null;
    },

    async removeAbandoned(before) {
      let removed = 0;
      for await (const object of listing(TMP_PREFIX)) {
        if (object.modifiedAt && object.modifiedAt < before) {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.key }));
          removed++;
        }
      }
      // Multipart uploads whose process died before finishing or aborting them: their parts are
      // stored (and billed) but no object shows them.
      try {
        let keyMarker: string | undefined;
        let uploadIdMarker: string | undefined;
        do {
          const page = await client.send(
            new ListMultipartUploadsCommand({
              Bucket: bucket,
              Prefix: TMP_PREFIX,
              KeyMarker: keyMarker,
              UploadIdMarker: uploadIdMarker,
            }),
          );
          for (const upload of page.Uploads ?? []) {
            if (upload.Key && upload.UploadId && upload.Initiated && upload.Initiated < before) {
              await client.send(
                new AbortMultipartUploadCommand({
                  Bucket: bucket,
                  Key: upload.Key,
                  UploadId: upload.UploadId,
                }),
              );
              removed++;
            }
          }
          keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
          uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
        } while (keyMarker);
      } catch (error) {
        // A store that cannot list uploads in progress: its own lifecycle rule has to expire them.
        if (s3FailureOf(error).name !== "NotImplemented") throw error;
      }
      return removed;
    },

    async ready() {
      const probe = `${TMP_PREFIX}ready-${process.pid}-${randomBytes(4).toString("hex")}`;
      const timeoutMs = options.readyTimeoutMs ?? 20_000;
      // A store that takes connections and never answers stops the start too, saying so.
      const abortSignal = AbortSignal.timeout(timeoutMs);
      try {
        // Writing, removing and listing: what a put, the sweep and a copy need.
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: probe, Body: Buffer.alloc(0) }), {
          abortSignal,
        });
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: probe }), { abortSignal });
        // Listing the probe's own (now empty) prefix: a cheap answer on any store.
        await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: probe }), { abortSignal });
      } catch (cause) {
        const reason = abortSignal.aborted
          ? `the S3 endpoint ${endpoint} did not answer within ${timeoutMs / 1000} s`
          : describeS3Problem(cause, where);
        throw new StorageError("unavailable", reason, { cause });
      }
    },
  };

  if (presignClient && options.presign) {
    const { seconds } = options.presign;
    storage.downloadUrl = (key, file) => {
      assertContentKey(key);
      return getSignedUrl(
        presignClient,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentType: file.contentType,
          ResponseContentDisposition: file.contentDisposition,
        }),
        { expiresIn: seconds },
      );
    };
  }
  return storage;
}

/** `take` bytes of a stream after skipping `skip`; leaving early destroys the stream. */
async function* slice(stream: Readable, skip: number, take: number): AsyncIterable<Buffer> {
  let at = 0;
  const end = skip + take;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const from = Math.max(0, skip - at);
    const to = Math.min(chunk.byteLength, end - at);
    if (to > from) yield chunk.subarray(from, to);
    at += chunk.byteLength;
    if (at >= end) return;
  }
}
