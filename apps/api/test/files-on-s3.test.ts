import { createHash } from "node:crypto";
import { createTestUser } from "@shootout/router/testing";
import { createS3Storage, type S3StorageOptions } from "@shootout/storage";
import { type S3TestServer, startS3TestServer } from "@shootout/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { errorBody, upload, uploadedFile } from "./helpers/upload.ts";

// Uploads and downloads with STORAGE_BACKEND=s3: the API in this process, the bucket in s3rver
// (a real S3-protocol server, also in this process).
let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3TestServer();
});
afterAll(async () => {
  await s3?.close();
});

const bucketOptions = (): S3StorageOptions => ({
  endpoint: s3.endpoint,
  region: "us-east-1",
  bucket: s3.bucket,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});

for (const presigned of [false, true]) {
  describe(`GET /files/:id on S3 storage, ${presigned ? "with presigned downloads" : "through the API"}`, () => {
    let t: TestApi;
    let alice: { token: string };
    beforeAll(async () => {
      t = await startTestApi({
        storage: createS3Storage({ ...bucketOptions(), ...(presigned ? { presign: { seconds: 60 } } : {}) }),
      });
      alice = await createTestUser(t.database.db);
    });
    afterAll(async () => {
      await t?.close();
    });
    const get = (id: string, headers: Record<string, string> = {}) =>
      fetch(`${t.url}/files/${id}`, { headers: { authorization: `Bearer ${alice.token}`, ...headers } });

    it("stores the upload in the bucket under its sha256 and answers it whole and by range", async () => {
      const bytes = wavBytes(400 + (presigned ? 1 : 0));
      const sha = createHash("sha256").update(bytes).digest("hex");
      const created = await upload(t.url, alice.token, bytes, { name: "take.wav" });
      expect(created.status).toBe(201);
      const file = uploadedFile.parse(await created.json());
      expect(file.sha256).toBe(sha);
      expect(await t.storage.stat(`sha256/${sha.slice(0, 2)}/${sha}`)).toEqual({ size: bytes.length });

      if (presigned) {
        const redirect = await get(file.id, {}).then(async (r) => r);
        // fetch followed it: the answer came from the bucket, named as the API names it.
        expect(redirect.redirected).toBe(true);
        expect(redirect.url.startsWith(`${s3.endpoint}/${s3.bucket}/sha256/`)).toBe(true);
        const manual = await fetch(`${t.url}/files/${file.id}`, {
          headers: { authorization: `Bearer ${alice.token}` },
          redirect: "manual",
        });
        expect(manual.status).toBe(302);
        expect(manual.headers.get("cache-control")).toBe("private, no-store");
        expect(manual.headers.get("location")).toContain("X-Amz-Signature=");
        expect(redirect.headers.get("content-disposition")).toContain('filename="take.wav"');
        expect(new Uint8Array(await redirect.arrayBuffer())).toEqual(bytes);
        // HEAD is answered by the API itself.
        const head = await fetch(`${t.url}/files/${file.id}`, {
          method: "HEAD",
          headers: { authorization: `Bearer ${alice.token}` },
          redirect: "manual",
        });
        expect(head.status).toBe(200);
        expect(Number(head.headers.get("content-length"))).toBe(bytes.length);
      } else {
        const whole = await get(file.id);
        expect(whole.status).toBe(200);
        expect(whole.redirected).toBe(false);
        expect(whole.headers.get("etag")).toBe(`"${sha}"`);
        expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);
      }
      // Ranges (a player seeking) follow the redirect too.
      // s3rver answers a one-byte range and a suffix range with the wrong bytes: through the API
      // the backend asks for explicit ranges and slices what it gets, but a browser reading the
      // bucket directly gets what s3rver sends (real stores answer both right).
      for (const [range, start, end] of [
        ["bytes=10-99", 10, 99],
        ...(presigned
          ? []
          : ([
              ["bytes=0-0", 0, 0],
              ["bytes=-44", bytes.length - 44, bytes.length - 1],
            ] as const)),
      ] as const) {
        const part = await get(file.id, { range });
        expect(part.status, range).toBe(206);
        expect(new Uint8Array(await part.arrayBuffer()), range).toEqual(bytes.slice(start, end + 1));
      }
    });

    it("answers 404 for an object that vanished from the bucket, at once", async () => {
      const bytes = wavBytes(500 + (presigned ? 1 : 0));
      const file = uploadedFile.parse(await (await upload(t.url, alice.token, bytes)).json());
      const sha = file.sha256;
      // Removed from the bucket by something else (a lifecycle rule, a person in the console).
      await createS3Storage(bucketOptions()).delete(`sha256/${sha.slice(0, 2)}/${sha}`);
      const gone = await get(file.id);
      expect(gone.status).toBe(404);
      expect(errorBody.parse(await gone.json()).error.message).toBe("file content is gone");
    });

    it.skipIf(presigned)(
      "answers 404, not a broken 200, when the object goes between the API's stat and its read",
      async () => {
        const bucket = createS3Storage(bucketOptions());
        // Another process removes the object right after this API looked at it.
        const racing = await startTestApi({
          storage: {
            ...bucket,
            async stat(key) {
              const found = await bucket.stat(key);
              await bucket.delete(key);
              return found;
            },
          },
        });
        try {
          const owner = await createTestUser(racing.database.db);
          const file = uploadedFile.parse(
            await (await upload(racing.url, owner.token, wavBytes(600), { name: "race.wav" })).json(),
          );
          const gone = await fetch(`${racing.url}/files/${file.id}`, {
            headers: { authorization: `Bearer ${owner.token}` },
          });
          expect(gone.status).toBe(404);
          expect(errorBody.parse(await gone.json()).error.message).toBe("file content is gone");
        } finally {
          await racing.close();
        }
      },
    );
  });
}
