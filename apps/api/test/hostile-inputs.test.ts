import type { AppRouter } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import {
  createTRPCClient,
  createWSClient,
  httpSubscriptionLink,
  TRPCClientError,
  wsLink,
} from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { validShootoutInput } from "./helpers/clients.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { upload, uploadedFile } from "./helpers/upload.ts";

// The inputs that reached the database and came back as 500s (issue 13): text with NUL, forged
// cursors with impossible dates, an onMine resumed from year 1. Each must be a 400 naming the
// field, over real HTTP, WebSocket and SSE.

const trpcError = z.object({
  error: z.object({
    message: z.string(),
    data: z.object({
      code: z.string(),
      httpStatus: z.number(),
      zodError: z.object({ fieldErrors: z.record(z.string(), z.array(z.string()).optional()) }).nullable(),
    }),
  }),
});

let t: TestApi;
let alice: { user: { id: string }; token: string };
let diFileId: string;

beforeAll(async () => {
  t = await startTestApi({ events: true });
  alice = await createTestUser(t.database.db);
  const response = await upload(t.url, alice.token, wavBytes(48_000), { name: "di.wav" });
  diFileId = uploadedFile.parse(await response.json()).id;
});

afterAll(async () => {
  await t?.close();
});

/** One non-batched tRPC call over HTTP: its status and parsed error body. */
async function call(kind: "query" | "mutation", path: string, input: unknown) {
  const headers = { authorization: `Bearer ${alice.token}`, "content-type": "application/json" };
  const response =
    kind === "query"
      ? await fetch(`${t.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${t.url}/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input) });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as unknown };
}

/** The 400 a bad field deserves: a zod issue under its name (a dotted path for nested ones). */
async function expectFieldRefused(kind: "query" | "mutation", path: string, input: unknown, field: string) {
  const { status, body, text } = await call(kind, path, input);
  expect(status, `${path} ${field}: ${text}`).toBe(400);
  const { error } = trpcError.parse(body);
  expect(error.data.code).toBe("BAD_REQUEST");
  expect(Object.keys(error.data.zodError?.fieldErrors ?? {}), text).toContain(field);
}

const NUL = "a\u0000b";
const LONE_SURROGATE = "a\ud800b";

describe("text that Postgres cannot store is refused as a zod issue on its field", () => {
  const tone = (extra: Record<string, string>) => ({
    tone3000ToneId: "tone-1",
    tone3000ModelId: "model-1",
    displayName: "Clean",
    ...extra,
  });
  const create = (patch: Record<string, unknown>) => ({ ...validShootoutInput(diFileId), ...patch });
  const cases: { what: string; input: () => unknown; field: string }[] = [
    { what: "name", input: () => create({ name: NUL }), field: "name" },
    { what: "description", input: () => create({ description: NUL }), field: "description" },
    { what: "guitar", input: () => create({ guitar: NUL }), field: "guitar" },
    { what: "pickup", input: () => create({ pickup: NUL }), field: "pickup" },
    {
      what: "a tone's display name",
      input: () => create({ tones: [tone({ displayName: NUL }), tone({})] }),
      field: "tones",
    },
    {
      what: "tone3000ToneId",
      input: () => create({ tones: [tone({}), tone({ tone3000ToneId: NUL })] }),
      field: "tones",
    },
    {
      what: "tone3000ModelId",
      input: () => create({ tones: [tone({}), tone({ tone3000ModelId: NUL })] }),
      field: "tones",
    },
    {
      what: "modelSize",
      input: () => create({ tones: [tone({ modelSize: NUL }), tone({})] }),
      field: "tones",
    },
  ];
  for (const c of cases) {
    it(`shootouts.create: NUL in ${c.what}`, async () => {
      await expectFieldRefused("mutation", "shootouts.create", c.input(), c.field);
    });
  }

  it("shootouts.update and auth.sessions.revoke the same", async () => {
    const created = await call("mutation", "shootouts.create", validShootoutInput(diFileId));
    expect(created.status).toBe(200);
    const { id } = z.object({ result: z.object({ data: z.object({ id: z.uuid() }) }) }).parse(created.body)
      .result.data;
    await expectFieldRefused("mutation", "shootouts.update", { shootoutId: id, name: NUL }, "name");
    await expectFieldRefused(
      "mutation",
      "shootouts.update",
      { shootoutId: id, description: NUL },
      "description",
    );
    await expectFieldRefused("mutation", "auth.sessions.revoke", { sessionId: NUL }, "sessionId");
  });

  it("lone surrogates (not text; the driver would store U+FFFD instead) are refused too", async () => {
    await expectFieldRefused("mutation", "shootouts.create", create({ name: LONE_SURROGATE }), "name");
    await expectFieldRefused("mutation", "auth.sessions.revoke", { sessionId: "\udfff" }, "sessionId");
  });

  it("a number too close to zero for its real column is refused on its field; 0 and ordinary values are kept", async () => {
    await expectFieldRefused(
      "mutation",
      "shootouts.create",
      create({ targetLufs: -1.78e-252 }),
      "targetLufs",
    );
    for (const targetLufs of [0, -14.5]) {
      const ok = await call("mutation", "shootouts.create", create({ targetLufs }));
      expect(ok.status, ok.text).toBe(200);
    }
  });

  it("a description keeps its line breaks and tabs; a name refuses them", async () => {
    const ok = await call("mutation", "shootouts.create", create({ description: "one\n\ttwo\r\nthree" }));
    expect(ok.status, ok.text).toBe(200);
    await expectFieldRefused("mutation", "shootouts.create", create({ name: "one\ntwo" }), "name");
  });

  it("an upload's name with NUL is a 400, not a stored row", async () => {
    const response = await upload(t.url, alice.token, wavBytes(), { name: NUL });
    expect(response.status).toBe(400);
  });
});

/** A cursor as the server encodes them: base64url of `created_at|id`. */
const cursorOf = (text: string) => Buffer.from(text).toString("base64url");

describe("a forged cursor is a 400 before any query", () => {
  const id = "00000000-0000-4000-8000-000000000000";
  const forged = [
    cursorOf(`2024-02-30T12:00:00.000000Z|${id}`), // no such day
    cursorOf(`2023-02-29T12:00:00.000000Z|${id}`), // not a leap year
    cursorOf(`2024-01-01T24:00:00.000000Z|${id}`), // no such hour
    cursorOf(`0000-01-01T00:00:00.000000Z|${id}`), // no year 0 in Postgres
    cursorOf(`2024-01-01T00:00:00.000000Z|not-a-uuid`),
  ];
  for (const path of ["shootouts.list", "shootouts.listPublic", "files.list", "jobs.list"]) {
    it(path, async () => {
      for (const cursor of forged) await expectFieldRefused("query", path, { cursor }, "cursor");
    });
  }

  it("a real cursor still pages", async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await call("mutation", "shootouts.create", validShootoutInput(diFileId, `page ${i}`))).status,
      ).toBe(200);
    }
    const first = await call("query", "shootouts.list", { limit: 1 });
    const { nextCursor } = z
      .object({ result: z.object({ data: z.object({ nextCursor: z.string() }) }) })
      .parse(first.body).result.data;
    expect((await call("query", "shootouts.list", { limit: 1, cursor: nextCursor })).status).toBe(200);
  });
});

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

/** How an onMine subscription with `lastEventId` begins: refused (its code), or started. */
function onMineOutcome(client: Client, lastEventId: string): Promise<string> {
  return new Promise((resolve) => {
    const sub = client.jobs.onMine.subscribe(
      { lastEventId },
      {
        // Started is not enough: the back-fill query runs right after, inside the stream.
        onStarted: () => setTimeout(() => resolve("started"), 500),
        onError(error) {
          resolve(error instanceof TRPCClientError ? String(error.data?.code) : String(error));
        },
      },
    );
    setTimeout(() => sub.unsubscribe(), 3_000);
  });
}

describe("jobs.onMine resumed from a time that is not ours", () => {
  it("is a BAD_REQUEST before the stream, over SSE and WebSocket; a real resume id still starts", async () => {
    const authorization = `Bearer ${alice.token}`;
    const sse = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `${t.url}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
          },
        }),
      ],
    });
    const socket = createWSClient({
      url: `${t.url.replace("http", "ws")}/trpc`,
      connectionParams: { token: alice.token },
    });
    const ws = createTRPCClient<AppRouter>({ links: [wsLink({ client: socket })] });
    try {
      for (const client of [sse, ws]) {
        expect(await onMineOutcome(client, "0001-01-01T00:00:00.000Z")).toBe("BAD_REQUEST");
        expect(await onMineOutcome(client, "1969-12-31T23:59:59.000Z")).toBe("BAD_REQUEST");
        expect(await onMineOutcome(client, new Date(Date.now() - 60_000).toISOString())).toBe("started");
      }
    } finally {
      await socket.close();
    }
  });
});
