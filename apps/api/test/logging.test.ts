import type { AppRouter } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as NodeWebSocket } from "ws";
import { createLogger } from "../src/logger.ts";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { upload } from "./helpers/upload.ts";

const lines: string[] = [];
let t: TestApi;

beforeAll(async () => {
  // The production logger (redaction included), at debug, writing into memory.
  const log = createLogger({
    level: "debug",
    destination: { write: (line: string) => void lines.push(line) },
  });
  t = await startTestApi({ log });
});

afterAll(async () => {
  await t?.close();
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("logs", () => {
  it("carry the request id on the lines of a call, and never a session token", async () => {
    const { token } = await createTestUser(t.database.db);
    lines.length = 0;
    // A refused call (logged by the tRPC error hook through the call's own logger)…
    const refused = await fetch(
      `${t.url}/trpc/shootouts.get?input=${encodeURIComponent('{"shootoutId":"x"}')}`,
      {
        headers: {
          "x-request-id": "req-logs-1",
          authorization: `Bearer ${token}`,
          cookie: `session=${token}`,
        },
      },
    );
    expect(refused.status).toBe(400);
    // …an upload refused after authentication, and a successful one.
    await upload(t.url, token, new TextEncoder().encode("not audio"));
    await upload(t.url, token, wavBytes());
    await new Promise((r) => setTimeout(r, 50));

    const callLines = parsed().filter((l) => l.requestId === "req-logs-1");
    expect(callLines.map((l) => l.msg)).toEqual(expect.arrayContaining(["call refused", "request"]));
    expect(parsed().some((l) => l.msg === "file uploaded")).toBe(true);
    const secret = token.split(".")[1]!;
    for (const line of lines) expect(line).not.toContain(secret);
  });
});

describe("the logger's redaction", () => {
  it("censors authorization and cookie headers and tokens wherever a line carries them", () => {
    const out: string[] = [];
    const log = createLogger({
      level: "info",
      destination: { write: (line: string) => void out.push(line) },
    });
    log.info(
      { req: { headers: { authorization: "Bearer s3cret-a", cookie: "session=s3cret-b" } } },
      "incoming",
    );
    log.info({ connectionParams: { token: "s3cret-c" }, user: { token: "s3cret-d" } }, "ws");
    expect(out).toHaveLength(2);
    for (const line of out) expect(line).not.toMatch(/s3cret/);
    expect(out.join("")).toContain("[redacted]");
  });
});

describe("the logger's errors", () => {
  it("keeps an error's own message and nests its causes, instead of folding them into it", () => {
    const out: string[] = [];
    const log = createLogger({
      level: "info",
      destination: { write: (line: string) => void out.push(line) },
    });
    const cause = new Error("Could not find the fmt chunk");
    log.warn({ err: new Error(`not a readable WAV file: ${cause.message}`, { cause }) }, "render refused");
    const line = JSON.parse(out[0]!) as { err: { message: string; cause?: { message: string } } };
    expect(line.err.message).toBe("not a readable WAV file: Could not find the fmt chunk");
    expect(line.err.cause?.message).toBe("Could not find the fmt chunk");
  });
});

describe("WebSocket session from the upgrade request's cookie", () => {
  it("authenticates calls with the cookie when no connectionParams are sent", async () => {
    const { user, token } = await createTestUser(t.database.db);
    // Node's WebSocket cannot set headers; the ws package can, as a browser sends its cookies.
    class CookieWebSocket extends NodeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: `session=${token}` } });
      }
    }
    const client = createWSClient({
      url: `${t.url.replace("http", "ws")}/trpc`,
      WebSocket: CookieWebSocket as unknown as typeof WebSocket,
    });
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
    try {
      expect((await trpc.auth.me.query())?.user.id).toBe(user.id);
    } finally {
      await client.close();
    }
  });
});
