import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

/**
 * A real S3-protocol server for tests, in this process: s3rver, on a free loopback port, storing
 * in a temporary directory. Its objects are files (`<dir>/<bucket>/<key>._S3rver_object`) whose
 * mtime is their LastModified, so a test can age one. It checks the access key id, not the SigV4
 * signature: a wrong secret is accepted. A listing longer than one page (1000 keys) fails on it
 * (its continuation tokens use DES, which OpenSSL 3 no longer offers): tests stay below that.
 */
export interface S3TestServer {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The variables that point a process at this bucket. */
  readonly env: Readonly<Record<string, string>>;
  /** Makes an object (of `bucket`, by default the server's) look last written `ms` ago. */
  age(key: string, ms: number, bucket?: string): void;
  /** Where s3rver keeps multipart uploads in progress (one directory each). */
  readonly uploadsDir: string;
  close(): Promise<void>;
}

// s3rver's built-in account.
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";

export async function startS3TestServer(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? "shootout-test";
  const directory = mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    // Path-style only: 127.0.0.1 has no bucket subdomains.
    vhostBuckets: false,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const objectFile = (key: string, inBucket: string) =>
    path.join(directory, inBucket, `${key}._S3rver_object`);
  return {
    endpoint,
    bucket,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    env: {
      STORAGE_BACKEND: "s3",
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      S3_FORCE_PATH_STYLE: "true",
    },
    age(key, ms, inBucket = bucket) {
      const at = new Date(Date.now() - ms);
      utimesSync(objectFile(key, inBucket), at, at);
    },
    uploadsDir: path.join(directory, bucket, "._S3rver_uploads"),
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
