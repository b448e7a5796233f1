import { Writable } from "node:stream";
import { createTestUser } from "@shootout/router/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { z } from "zod";
import { createLogger } from "../src/logger.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";

// An internal error, provoked as a deployment gets one (the schema is not what the code expects:
// a table the query names is gone, so Postgres answers `relation "…" does not exist`), over every
// transport: HTTP, SSE and WebSocket streams, the plain routes, and a call whose context could not
// be built. Without SHOOTOUT_DEBUG no answer carries a stack, a path or the database's words, only
// a request id that the error's log line carries with the real error. With it, the stack is there.

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  err?: { message?: string; stack?: string; cause?: { message?: string } };
}

/** What a body must not show a client: a stack frame, a server path, the database's own words. */
function expectNothingInternal(text: string) {
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain(process.cwd());
  expect(text).not.toMatch(/does not exist|relation|_gone/);
}

/** The message an internal error answers with: generic, naming the request. */
const internalMessage = (requestId: string) => `internal error (request id ${requestId})`;

async function readSseUntilError(
  url: string,
  init: RequestInit,
): Promise<{ requestId: string; text: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const response = await fetch(url, { ...init, signal: controller.signal });
  const requestId = response.headers.get("x-request-id") ?? "";
  let text = "";
  try {
    const decoder = new TextDecoder();
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (/event: serialized-error\ndata: .*\n/.test(text)) break;
    }
  } catch {
    // Aborted by the timer: the assertions below say what was missing.
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { requestId, text };
}

/** Subscribes over a raw WebSocket and returns every frame until the subscription's error. */
function wsFramesUntilError(
  url: string,
  token: string,
  requestId: string,
  message: unknown,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const frames: string[] = [];
    const socket = new WebSocket(`${url.replace("http", "ws")}/trpc`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
    });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no error frame within 10 s; got ${frames.join(" | ")}`));
    }, 10_000);
    socket.on("open", () => socket.send(JSON.stringify(message)));
    socket.on("message", (data) => {
      const frame = String(data);
      frames.push(frame);
      if (frame.includes('"error"')) {
        clearTimeout(timer);
        socket.close();
        resolve(frames);
      }
    });
    socket.on("error", reject);
  });
}

const trpcErrorBody = z.object({
  error: z.object({
    message: z.string(),
    data: z.looseObject({ code: z.string(), requestId: z.string().nullable(), stack: z.string().optional() }),
  }),
});

for (const debug of [false, true]) {
  describe(`an internal error's answer${debug ? " with SHOOTOUT_DEBUG on" : ""}`, () => {
    let t: TestApi;
    let token: string;
    const lines: LogLine[] = [];

    beforeAll(async () => {
      const destination = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
          done();
        },
      });
      const log = createLogger({ level: "info", destination });
      t = await startTestApi({ events: true, log, env: debug ? { SHOOTOUT_DEBUG: "1" } : {} });
      ({ token } = await createTestUser(t.database.db));
      // The schema drifts from the code: every query of these tables now fails in Postgres.
      for (const table of ["shootouts", "jobs", "files"]) {
        await sql`alter table ${sql.table(table)} rename to ${sql.table(`${table}_gone`)}`.execute(
          t.database.db,
        );
      }
    });

    afterAll(async () => {
      await t?.close();
    });

    /** The error line logged for `requestId`, carrying the real (database) error. */
    function logLineOf(requestId: string) {
      const line = lines.find((l) => l.level >= 50 && l.requestId === requestId);
      expect(line, `an error line with requestId ${requestId}`).toBeDefined();
      expect(`${line!.err?.message} | ${line!.err?.cause?.message}`).toMatch(/relation "\w+" does not exist/);
      return line!;
    }

    it("over HTTP (a query and a batch)", async () => {
      const response = await fetch(`${t.url}/trpc/shootouts.list?input=${encodeURIComponent("{}")}`, {
        headers: { authorization: `Bearer ${token}`, "x-request-id": `http-${debug}` },
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(response.headers.get("x-request-id")).toBe(`http-${debug}`);
      const { error } = trpcErrorBody.parse(JSON.parse(text));
      expect(error.data.code).toBe("INTERNAL_SERVER_ERROR");
      expect(error.data.requestId).toBe(`http-${debug}`);
      logLineOf(`http-${debug}`);
      if (debug) {
        expect(error.data.stack).toMatch(/relation "shootouts" does not exist/);
        expect(error.data.stack).toMatch(/\bat .+:\d+:\d+/);
      } else {
        expect(error.message).toBe(internalMessage(`http-${debug}`));
        expectNothingInternal(text);
      }
    });

    it("inside an SSE subscription stream", async () => {
      const input = encodeURIComponent(
        JSON.stringify({ lastEventId: new Date(Date.now() - 60_000).toISOString() }),
      );
      const { requestId, text } = await readSseUntilError(`${t.url}/trpc/jobs.onMine?input=${input}`, {
        headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      });
      const data = /event: serialized-error\ndata: (.*)\n/.exec(text)?.[1];
      expect(data, text).toBeDefined();
      const shape = z
        .object({
          message: z.string(),
          data: z.looseObject({ code: z.string(), requestId: z.string().nullable() }),
        })
        .parse(JSON.parse(data!));
      expect(shape.data.code).toBe("INTERNAL_SERVER_ERROR");
      expect(shape.data.requestId).toBe(requestId);
      logLineOf(requestId);
      if (debug) expect(text).toMatch(/relation \\"jobs\\" does not exist/);
      else {
        expect(shape.message).toBe(internalMessage(requestId));
        expectNothingInternal(text);
      }
    });

    it("inside a WebSocket subscription stream", async () => {
      const requestId = `ws-${debug}`;
      const frames = await wsFramesUntilError(t.url, token, requestId, {
        id: 1,
        method: "subscription",
        params: { path: "jobs.onMine", input: { lastEventId: new Date(Date.now() - 60_000).toISOString() } },
      });
      const errorFrame = frames.find((f) => f.includes('"error"'))!;
      const parsed = trpcErrorBody.safeParse(JSON.parse(errorFrame));
      expect(parsed.success, errorFrame).toBe(true);
      const { error } = parsed.data!;
      expect(error.data.code).toBe("INTERNAL_SERVER_ERROR");
      expect(error.data.requestId).toBe(requestId);
      logLineOf(requestId);
      if (debug) expect(error.data.stack).toMatch(/relation "jobs" does not exist/);
      else {
        expect(error.message).toBe(internalMessage(requestId));
        for (const frame of frames) expectNothingInternal(frame);
      }
    });

    it("from a plain route (a download)", async () => {
      const requestId = `route-${debug}`;
      const response = await fetch(`${t.url}/files/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      const { error } = z
        .object({ error: z.object({ code: z.string(), message: z.string(), stack: z.string().optional() }) })
        .parse(JSON.parse(text));
      expect(error).toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: internalMessage(requestId) });
      logLineOf(requestId);
      if (debug) expect(error.stack).toMatch(/relation "files" does not exist/);
      else expectNothingInternal(text);
    });

    // Last: without sessions nothing signed in works any more.
    it("from a call whose context could not be built (the session lookup failed)", async () => {
      await sql`alter table sessions rename to sessions_gone`.execute(t.database.db);
      const requestId = `setup-${debug}`;
      const response = await fetch(`${t.url}/trpc/auth.me`, {
        headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      const { error } = trpcErrorBody.parse(JSON.parse(text));
      expect(error.data.requestId).toBe(requestId);
      logLineOf(requestId);
      if (debug) expect(error.data.stack).toMatch(/relation "sessions" does not exist/);
      else {
        expect(error.message).toBe(internalMessage(requestId));
        expectNothingInternal(text);
      }
    });
  });
}

describe("error answers that are not internal", () => {
  it("carry no stack either, whatever NODE_ENV says (./shootout start runs as development)", async () => {
    const t = await startTestApi({ env: { NODE_ENV: "development" } });
    try {
      const response = await fetch(
        `${t.url}/trpc/shootouts.get?input=${encodeURIComponent('{"shootoutId":"x"}')}`,
      );
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text).not.toMatch(/"stack"/);
      expect(text).not.toContain(process.cwd());
    } finally {
      await t.close();
    }
  });
});

// On Postgres only: a closed PGlite test instance still answers this process's `select 1`.
describe.skipIf(!process.env.TEST_DATABASE_URL)("the readiness probe, which anyone can reach", () => {
  for (const debug of [false, true]) {
    it(`names no driver message when the database is gone${debug ? " (but does with SHOOTOUT_DEBUG)" : ""}`, async () => {
      const lines: LogLine[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
          done();
        },
      });
      const t = await startTestApi({
        log: createLogger({ level: "info", destination }),
        env: debug ? { SHOOTOUT_DEBUG: "1" } : {},
      });
      try {
        // The pool is closed under the running server: every query now fails in the driver.
        await t.database.close();
        const response = await fetch(`${t.url}/readyz`);
        const text = await response.text();
        expect(response.status).toBe(503);
        const { reason } = z.object({ reason: z.string() }).parse(JSON.parse(text));
        const line = lines.find((l) => l.msg === "not ready");
        const driverMessage = line?.err?.message;
        expect(driverMessage).toBeTruthy();
        if (debug) expect(reason).toBe(`database unreachable: ${driverMessage}`);
        else {
          expect(reason).toBe("database unreachable");
          expect(text).not.toContain(driverMessage);
        }
      } finally {
        await t.close().catch(() => {});
      }
    });
  }
});
