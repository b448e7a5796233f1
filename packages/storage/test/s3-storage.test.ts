import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { buffer } from "node:stream/consumers";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, type S3StorageOptions } from "../src/index.ts";
import { type S3TestServer, startS3TestServer } from "../src/testing/s3-test-server.ts";
import { storageContract } from "./storage-contract.ts";

// The smallest part S3 takes: the contract's large object crosses three part boundaries.
const PART = 5 * 1024 * 1024;

let server: S3TestServer;
let client: S3Client;
beforeAll(async () => {
  server = await startS3TestServer();
  client = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const optionsFor = (bucket: string): S3StorageOptions => ({
  endpoint: server.endpoint,
  region: "us-east-1",
  bucket,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  forcePathStyle: true,
  partBytes: PART,
});

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

async function emptyBucket(): Promise<void> {
  const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
  for (const key of await keysUnder("")) {
    await client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: key }));
  }
}

let abandoned = 0;
storageContract("S3 (s3rver in-process)", async () => {
  await emptyBucket();
  return {
    storage: createS3Storage(optionsFor(server.bucket)),
    chunkBytes: PART,
    // Temporaries of puts, and multipart uploads the store holds unfinished.
    leftovers: async () =>
      (await keysUnder("tmp/")).length +
      (existsSync(server.uploadsDir) ? readdirSync(server.uploadsDir).length : 0),
    backdate: async (key, ms) => server.age(key, ms),
    abandonPut: async (ms) => {
      const { PutObjectCommand } = await import("@aws-sdk/client-s3");
      const key = `tmp/${Date.now()}-dead${abandoned++}`;
      await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: "half an upload" }));
      server.age(key, ms);
    },
    close: async () => {},
  };
});

async function* pieces(bytes: Buffer, step = 256 * 1024): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += step) yield bytes.subarray(at, at + step);
}

describe("S3 storage beyond the contract", () => {
  it("a source failing after the first part passes its own error on, and stores nothing", async () => {
    await emptyBucket();
    const storage = createS3Storage(optionsFor(server.bucket));
    async function* failing() {
      yield* pieces(randomBytes(PART + 1024 * 1024));
      throw new Error("the client went away");
    }
    // s3rver cannot abort a multipart upload: the SDK's failing abort must not hide the cause.
    await expect(storage.put(failing())).rejects.toThrow("the client went away");
    await expect(storage.put(pieces(randomBytes(2 * PART)), { maxBytes: PART + 10 })).rejects.toMatchObject({
      code: "too_large",
    });
    expect(await keysUnder("")).toEqual([]);
    // What s3rver keeps of the upload it could not abort (a real store aborts it, or its
    // lifecycle rule, or removeAbandoned does).
    rmSync(server.uploadsDir, { recursive: true, force: true });
  });

  it("reads ranges of a multipart object across its part boundary", async () => {
    await emptyBucket();
    const storage = createS3Storage(optionsFor(server.bucket));
    const bytes = randomBytes(PART + 100);
    const stored = await storage.put(pieces(bytes));
    expect(await keysUnder("")).toEqual([stored.key]);
    const part = await buffer(await storage.get(stored.key, { start: PART - 3, end: PART + 2 }));
    expect(Buffer.compare(part, bytes.subarray(PART - 3, PART + 3))).toBe(0);
    // Past the end: nothing, as the other backends answer.
    expect((await buffer(await storage.get(stored.key, { start: PART + 100, end: PART + 200 }))).length).toBe(
      0,
    );
  });

  it("a presigned URL serves the object (and a range of it) straight from the store, as a named download", async () => {
    await emptyBucket();
    const storage = createS3Storage({ ...optionsFor(server.bucket), presign: { seconds: 60 } });
    const stored = await storage.put(pieces(Buffer.from("riff riff riff")));
    const url = await storage.downloadUrl!(stored.key, {
      contentType: "audio/flac",
      contentDisposition: 'attachment; filename="joined.flac"',
    });
    expect(url.startsWith(`${server.endpoint}/${server.bucket}/${stored.key}?`)).toBe(true);
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("audio/flac");
    expect(whole.headers.get("content-disposition")).toBe('attachment; filename="joined.flac"');
    expect(await whole.text()).toBe("riff riff riff");
    const ranged = await fetch(url, { headers: { range: "bytes=5-8" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe("riff");
    // Signed for the endpoint browsers reach, when that is another than the processes use.
    const behindProxy = createS3Storage({
      ...optionsFor(server.bucket),
      presign: { seconds: 60, publicEndpoint: "https://files.shootout.example" },
    });
    const publicUrl = new URL(
      await behindProxy.downloadUrl!(stored.key, {
        contentType: "audio/flac",
        contentDisposition: "attachment",
      }),
    );
    expect(publicUrl.origin + publicUrl.pathname).toBe(
      `https://files.shootout.example/${server.bucket}/${stored.key}`,
    );
    expect(publicUrl.searchParams.get("X-Amz-Expires")).toBe("60");
    // Without presigning the backend offers no URL: downloads pass through the API.
    expect(createS3Storage(optionsFor(server.bucket)).downloadUrl).toBeUndefined();
  });
});

describe("S3 storage that cannot be used says why at ready(), in one line", () => {
  it("names a bucket that does not exist, until createBucket() makes it", async () => {
    const storage = createS3Storage(optionsFor("made-by-setup"));
    await expect(storage.ready()).rejects.toMatchObject({ code: "unavailable" });
    expect(await storage.createBucket()).toBe("created");
    expect(await storage.createBucket()).toBe("existed");
    await storage.ready();
  });

  it("names a bucket that does not exist", async () => {
    const error = await createS3Storage(optionsFor("no-such-bucket"))
      .ready()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "unavailable",
      message: `the S3 bucket "no-such-bucket" at ${server.endpoint} does not exist`,
    });
  });

  it("names refused credentials", async () => {
    // s3rver checks the access key id (not the signature).
    const storage = createS3Storage({
      ...optionsFor(server.bucket),
      credentials: { accessKeyId: "nobody", secretAccessKey: "x" },
    });
    const error = (await storage.ready().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "unavailable" });
    expect(error.message).toMatch(
      new RegExp(
        `^the S3 bucket "${server.bucket}" at ${server.endpoint} refuses the credentials .*InvalidAccessKeyId`,
      ),
    );
    expect(error.message).not.toContain("\n");
  });

  it("names an endpoint nothing listens on, and one that never answers, without hanging", async () => {
    const net = await import("node:net");
    // A port that was free a moment ago: connections are refused.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const refusedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await createS3Storage({
      ...optionsFor(server.bucket),
      endpoint: `http://127.0.0.1:${refusedPort}`,
    })
      .ready()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(
        new RegExp(`^the S3 endpoint http://127.0.0.1:${refusedPort} cannot be reached: ECONNREFUSED`),
      ),
    });

    // Takes the connection, never answers.
    const sockets: import("node:net").Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const error = await createS3Storage({
        ...optionsFor(server.bucket),
        endpoint: `http://127.0.0.1:${silentPort}`,
        readyTimeoutMs: 500,
      })
        .ready()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "unavailable",
        message: `the S3 endpoint http://127.0.0.1:${silentPort} did not answer within 0.5 s`,
      });
      // Functional bound: the configured wait, not the SDK's 2-minute request timeout.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
