import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { encodeFlac } from "@shootout/audio";
import { createTestUser } from "@shootout/router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aiffBytes,
  declaredWavBytes,
  flacBytes,
  id3Mp3Bytes,
  mp3Bytes,
  rf64Bytes,
  wavBytes,
} from "./helpers/audio-bytes.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { errorBody, upload, uploadedFile } from "./helpers/upload.ts";

const MAX_UPLOAD = 4096;

let t: TestApi;
let alice: { user: { id: string }; token: string };

beforeAll(async () => {
  t = await startTestApi({ limits: { maxUploadBytes: MAX_UPLOAD } });
  alice = await createTestUser(t.database.db);
});

afterAll(async () => {
  await t?.close();
});

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every stored object (the tmp folder of half-written uploads is not one). */
function storedObjects(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(t.storageDir, full));
    }
  };
  walk(t.storageDir);
  return out.filter((p) => !p.startsWith("tmp"));
}

function tmpLeftovers(): string[] {
  try {
    return readdirSync(path.join(t.storageDir, "tmp"));
  } catch {
    return [];
  }
}

async function filesRowCount(): Promise<number> {
  const row = await t.database.db
    .selectFrom("files")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Streams `bytes` in small chunks, so the body has no Content-Length (chunked encoding). */
function chunked(bytes: Uint8Array, size = 512): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

const mono48k = (durationMs: number) => ({ durationMs, sampleRate: 48_000, channels: 1 });
// 100 ms of a 220 Hz tone, as libFLAC encodes it (STREAMINFO with its length, then frames).
const flac = await encodeFlac(
  Float32Array.from({ length: 4800 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 48_000)),
  48_000,
  { bitDepth: 16 },
);
// 20 frames of 1152 samples at 44.1 kHz, counted frame by frame (no ffmpeg needed).
const mp3Facts = { durationMs: 522, sampleRate: 44_100, channels: 2 };

describe("POST /files", () => {
  const cases = [
    { type: "WAV", bytes: wavBytes(), mime: "audio/wav", name: "di.wav", kind: "di", facts: mono48k(1) },
    { type: "AIFF", bytes: aiffBytes(), mime: "audio/aiff", name: "di.aiff", kind: "di", facts: mono48k(1) },
    { type: "FLAC", bytes: flac, mime: "audio/flac", name: "cab.flac", kind: "ir", facts: mono48k(100) },
    // The header probe cannot read RF64: the decoder measures it.
    {
      type: "RF64",
      bytes: rf64Bytes(480),
      mime: "audio/wav",
      name: "bwf.wav",
      kind: "di",
      facts: mono48k(10),
    },
    { type: "MP3", bytes: mp3Bytes(), mime: "audio/mpeg", name: "take.mp3", kind: "di", facts: mp3Facts },
    {
      type: "MP3 with ID3",
      bytes: id3Mp3Bytes(),
      mime: "audio/mpeg",
      name: "tagged.mp3",
      kind: "di",
      facts: mp3Facts,
    },
  ];
  for (const c of cases) {
    it(`stores a ${c.type} upload content-addressed and answers 201 with the file`, async () => {
      const response = await upload(t.url, alice.token, c.bytes, { kind: c.kind, name: c.name });
      expect(response.status).toBe(201);
      const file = uploadedFile.parse(await response.json());
      expect(file).toMatchObject({ kind: c.kind, name: c.name, mime: c.mime, sizeBytes: c.bytes.length });
      expect(file.sha256).toBe(sha256(c.bytes));
      expect(response.headers.get("location")).toBe(`/files/${file.id}`);
      const row = await t.database.db
        .selectFrom("files")
        .select(["ownerId", "storageKey"])
        .where("id", "=", file.id)
        .executeTakeFirstOrThrow();
      expect(row.ownerId).toBe(alice.user.id);
      expect(await t.storage.stat(row.storageKey)).toEqual({ size: c.bytes.length });
      // What its headers say (or, for RF64, its decoding).
      expect({ durationMs: file.durationMs, sampleRate: file.sampleRate, channels: file.channels }).toEqual(
        c.facts,
      );
    });
  }

  it("records a longer WAV's length from its header (what shootouts.create checks against MAX_DI_SECONDS)", async () => {
    const response = await upload(t.url, alice.token, wavBytes(1200, 8000), { name: "short.wav" });
    expect(response.status).toBe(201);
    expect(uploadedFile.parse(await response.json())).toMatchObject({
      durationMs: 150,
      sampleRate: 8000,
      channels: 1,
    });
  });

  it("streams a chunked upload (no Content-Length) just the same", async () => {
    const bytes = wavBytes(1500); // ~3 KB in 512-byte chunks
    const response = await upload(t.url, alice.token, chunked(bytes));
    expect(response.status).toBe(201);
    expect(uploadedFile.parse(await response.json()).sha256).toBe(sha256(bytes));
  });

  it("refuses a declared oversize upload with 413 and stores nothing", async () => {
    const before = { objects: storedObjects().length, rows: await filesRowCount() };
    const response = await upload(t.url, alice.token, wavBytes(MAX_UPLOAD));
    expect(response.status).toBe(413);
    expect(errorBody.parse(await response.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(storedObjects()).toHaveLength(before.objects);
    expect(await filesRowCount()).toBe(before.rows);
  });

  it("refuses an oversize streamed upload with 413 once it passes the limit, and stores nothing", async () => {
    const before = { objects: storedObjects().length, rows: await filesRowCount() };
    const response = await upload(t.url, alice.token, chunked(wavBytes(MAX_UPLOAD)));
    expect(response.status).toBe(413);
    expect(errorBody.parse(await response.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(storedObjects()).toHaveLength(before.objects);
    expect(tmpLeftovers()).toEqual([]);
    expect(await filesRowCount()).toBe(before.rows);
  });

  it("refuses bytes that are not audio with 415", async () => {
    const before = await filesRowCount();
    const response = await upload(t.url, alice.token, new TextEncoder().encode("<html>not audio</html>"));
    expect(response.status).toBe(415);
    expect(errorBody.parse(await response.json()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(await filesRowCount()).toBe(before);
  });

  it("refuses audio that says it is WAV but cannot be read, with 422 and the reason, before any render", async () => {
    const before = await filesRowCount();
    // The RIFF/WAVE magic, then no fmt chunk.
    const broken = Buffer.from("RIFF\0\0\0\0WAVEjunkjunk", "latin1");
    const response = await upload(t.url, alice.token, broken, { kind: "di", name: "broken.wav" });
    expect(response.status).toBe(422);
    const { error } = errorBody.parse(await response.json());
    expect(error.code).toBe("UNPROCESSABLE_CONTENT");
    expect(error.message).toMatch(/^not a usable WAV file: not a readable WAV file: .*fmt/);
    expect(await filesRowCount()).toBe(before);
  });

  // What issue 13 found uploading with 201 and durationMs null (or failing the insert with a 500):
  // each is refused with 422 and why, as a DI and as an IR, and leaves no row.
  const unusable = [
    {
      what: "a WAV header with no data chunk",
      bytes: () => declaredWavBytes({ dataBytes: null }),
      why: /"data" chunk/,
    },
    {
      what: "a WAV of 7 bits per sample",
      bytes: () => declaredWavBytes({ bitsPerSample: 7 }),
      why: /7 bits per sample/,
    },
    {
      what: "a WAV declaring 65535 channels",
      bytes: () => declaredWavBytes({ channels: 65535, dataBytes: 2048 }),
      why: /65535 channels/,
    },
    {
      what: "a WAV declaring 4294967295 Hz",
      bytes: () => declaredWavBytes({ sampleRate: 4_294_967_295 }),
      why: /4294967295 Hz/,
    },
    {
      what: "a WAV at 4 kHz",
      bytes: () => declaredWavBytes({ sampleRate: 4000, dataBytes: 800 }),
      why: /4000 Hz/,
    },
    {
      what: "a WAV whose data chunk is empty",
      bytes: () => declaredWavBytes({ dataBytes: 0 }),
      why: /no audio/,
    },
    { what: "a FLAC with no audio frames", bytes: () => flacBytes(), why: /FLAC/ },
  ];
  for (const c of unusable) {
    for (const kind of ["di", "ir"]) {
      it(`refuses ${c.what} as ${kind === "di" ? "a DI" : "an IR"} with 422 and the reason`, async () => {
        const before = await filesRowCount();
        const response = await upload(t.url, alice.token, c.bytes(), { kind, name: "hostile.wav" });
        const body = await response.text();
        expect(response.status, body).toBe(422);
        const { error } = errorBody.parse(JSON.parse(body));
        expect(error.code).toBe("UNPROCESSABLE_CONTENT");
        expect(error.message).toMatch(/^not a usable (WAV|FLAC) file: /);
        expect(error.message).toMatch(c.why);
        expect(await filesRowCount()).toBe(before);
      });
    }
  }

  it("refuses an upload without a session with 401", async () => {
    const response = await upload(t.url, null, wavBytes());
    expect(response.status).toBe(401);
    expect(errorBody.parse(await response.json()).error.code).toBe("UNAUTHORIZED");
    const forged = await upload(t.url, "not-a-token", wavBytes());
    expect(forged.status).toBe(401);
  });

  it("refuses a bad kind or a missing name with 400", async () => {
    expect((await upload(t.url, alice.token, wavBytes(), { kind: "output" })).status).toBe(400);
    expect((await upload(t.url, alice.token, wavBytes(), { name: "" })).status).toBe(400);
  });
});

describe("GET /files/:id", () => {
  let fileId: string;
  let bytes: Uint8Array;

  beforeAll(async () => {
    bytes = wavBytes(400); // 844 bytes
    const response = await upload(t.url, alice.token, bytes, { name: "range.wav" });
    fileId = uploadedFile.parse(await response.json()).id;
  });

  const get = (headers: Record<string, string> = {}, token: string | null = alice.token, id = fileId) =>
    fetch(`${t.url}/files/${id}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });

  it("sends the whole file with its type, length, ETag and Accept-Ranges", async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/wav");
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("etag")).toBe(`"${sha256(bytes)}"`);
    expect(Number(response.headers.get("content-length"))).toBe(bytes.length);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  it("answers single byte ranges with 206 and the exact bytes", async () => {
    const size = bytes.length;
    const cases: [string, number, number][] = [
      ["bytes=10-99", 10, 99],
      ["bytes=800-", 800, size - 1],
      ["bytes=-44", size - 44, size - 1],
      ["bytes=100-100000", 100, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await get({ range });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes.slice(start, end + 1));
    }
  });

  it("answers an unsatisfiable range with 416 and the size", async () => {
    const response = await get({ range: `bytes=${bytes.length}-` });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe(`bytes */${bytes.length}`);
  });

  it("answers a matching If-None-Match with 304", async () => {
    const response = await get({ "if-none-match": `"${sha256(bytes)}"` });
    expect(response.status).toBe(304);
    const stale = await get({ "if-none-match": '"something-else"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it("hides another user's file behind a 404, like a missing one", async () => {
    const mallory = await createTestUser(t.database.db);
    const theirs = await get({}, mallory.token);
    expect(theirs.status).toBe(404);
    const missing = await get({}, alice.token, "00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(errorBody.parse(await theirs.json())).toEqual(errorBody.parse(await missing.json()));
    expect((await get({}, alice.token, "not-a-uuid")).status).toBe(404);
  });

  it("requires a session (401)", async () => {
    expect((await get({}, null)).status).toBe(401);
  });

  it("serves a public shootout's render outputs to anyone, signed in or not, and nothing else of its owner's", async () => {
    // Alice's shootout over the uploaded DI, rendered once: the output has the same bytes.
    const { db } = t.database;
    const shootout = await db
      .insertInto("shootouts")
      .values({ ownerId: alice.user.id, name: "shared", diFileId: fileId })
      .returning("id")
      .executeTakeFirstOrThrow();
    const job = await db
      .insertInto("jobs")
      .values({
        shootoutId: shootout.id,
        ownerId: alice.user.id,
        status: "completed",
        finishedAt: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const source = await db
      .selectFrom("files")
      .selectAll()
      .where("id", "=", fileId)
      .executeTakeFirstOrThrow();
    const output = await db
      .insertInto("files")
      .values({
        ...source,
        id: undefined,
        createdAt: undefined,
        kind: "output",
        jobId: job.id,
        name: "shared.wav",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const mallory = await createTestUser(t.database.db);
    expect((await get({}, null, output.id)).status).toBe(401);
    expect((await get({}, mallory.token, output.id)).status).toBe(404);

    await db.updateTable("shootouts").set({ isPublic: true }).where("id", "=", shootout.id).execute();
    const anonymous = await get({ range: "bytes=0-9" }, null, output.id);
    expect(anonymous.status).toBe(206);
    expect(new Uint8Array(await anonymous.arrayBuffer())).toEqual(bytes.slice(0, 10));
    const other = await get({}, mallory.token, output.id);
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    // The DI itself stays Alice's.
    expect((await get({}, null)).status).toBe(401);
    expect((await get({}, mallory.token)).status).toBe(404);
  });
});
