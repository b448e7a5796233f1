import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../src/http/session-token.ts";
import { Findings, leaksIn } from "./fuzz/findings.ts";
import { type FuzzServer, type SignedInUser, startFuzzServer } from "./fuzz/fuzz-server.ts";
import { fuzzSettings, seedFor } from "./fuzz/fuzz-settings.ts";
import { rawRequest } from "./fuzz/raw-http.ts";
import { callOverWs, type WsIdentity, wsIdentity } from "./fuzz/trpc-transports.ts";

// tRPC's transports fed what no tRPC client sends: raw HTTP bodies, paths, batches, methods,
// Host headers and cookies, and raw WebSocket upgrades and frames. Asserted: a 4xx (never a 5xx
// or an internal error), no stack or server path in an answer, the server still serving after.
// The schema-driven fuzz of every procedure is trpc-fuzz.test.ts.

type IdentityName = "owner" | "other" | "signed-out";
const IDENTITIES: readonly IdentityName[] = ["owner", "other", "signed-out"];

const settings = fuzzSettings();
let s: FuzzServer;
let owner: SignedInUser;
let other: SignedInUser;
let socket: WsIdentity;

function tokenOf(identity: IdentityName): string | null {
  return identity === "owner" ? owner.token : identity === "other" ? other.token : null;
}

beforeAll(async () => {
  s = await startFuzzServer();
  owner = await s.signIn();
  other = await s.signIn("t3k-community");
  socket = wsIdentity(s.url, owner.token);
}, 120_000);

afterAll(async () => {
  await socket?.close();
  await s?.close();
});

describe("tRPC transports fed malformed requests", () => {
  it("answers malformed tRPC requests over HTTP with a 4xx, never a 5xx or a stack", async () => {
    const local = new Findings();
    const deep = `${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    const bodies: (string | Buffer)[] = [
      "",
      "{",
      "null",
      "[]",
      '{"0":',
      '"\u0000"',
      "1e999",
      deep,
      `{"name":${deep}}`,
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      `{"shootoutId":"${"a".repeat(1_100_000)}"}`,
      '{"__proto__":{"admin":true},"shootoutId":"00000000-0000-4000-8000-000000000000"}',
      '{"0":{"shootoutId":1},"-1":{},"1e3":{},"__proto__":{}}',
    ];
    const paths = [
      "shootouts.create",
      "shootouts.get",
      "auth.me",
      "jobs.onProgress",
      "nope.nope",
      "__proto__",
      "constructor",
      "auth.__proto__",
      "toString",
      "auth._def",
      "auth.me,",
      ",,,",
      "auth.me%00",
      "../auth.me",
      Array.from({ length: 25 }, () => "auth.me").join(","),
      "auth.me,shootouts.get,jobs.onMine",
    ];
    const contentTypes = [
      null,
      "application/json",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
    ];
    const requests = fc.sample(
      fc.record({
        method: fc.constantFrom(
          "GET",
          "POST",
          "HEAD",
          "OPTIONS",
          "PUT",
          "DELETE",
          "PATCH",
          "TRACE",
          "PROPFIND",
        ),
        host: fc.constantFrom<string | null>(null, null, null, "", "[::1", "a b", "x".repeat(300)),
        path: fc.constantFrom(...paths),
        batch: fc.boolean(),
        body: fc.constantFrom(...bodies.keys()),
        query: fc.constantFrom(
          "",
          "input=%ZZ",
          "input=not-json",
          `input=${encodeURIComponent(deep)}`,
          "input=%7B%7D&input=1",
          "lastEventId=../../x",
        ),
        contentType: fc.constantFrom(...contentTypes),
        accept: fc.constantFrom(null, "text/event-stream", "application/jsonl"),
        who: fc.constantFrom<IdentityName>(...IDENTITIES),
        // The session as a browser's cookie, from our page, a foreign one or none (CSRF).
        cookie: fc.constantFrom(null, "same-origin", "foreign-origin", "no-origin", "garbage"),
      }),
      {
        seed: seedFor(settings.seed, "trpc/malformed"),
        numRuns: Math.max(40, Math.round(settings.runs / 2)),
      },
    );
    // What a web Request cannot stand for (no usable Host, a TRACE) is the client's mistake.
    for (const [method, host, status] of [
      ["GET", "", 400],
      ["POST", "", 400],
      ["GET", "[::1", 400],
      ["TRACE", null, 405],
    ] as const) {
      const response = await rawRequest(s.url, {
        method,
        target: "/trpc/auth.me",
        headers: host === null ? [] : [["Host", host]],
      });
      expect([method, host, response.status]).toEqual([method, host, status]);
    }
    for (const r of requests) {
      const token = tokenOf(r.who);
      const headers: [string, string][] = [];
      if (token) headers.push(["Authorization", `Bearer ${token}`]);
      if (r.contentType) headers.push(["Content-Type", r.contentType]);
      if (r.accept) headers.push(["Accept", r.accept]);
      if (r.host !== null) headers.push(["Host", r.host]);
      if (r.cookie) {
        const value = r.cookie === "garbage" ? "x".repeat(3000) : owner.token;
        headers.push(["Cookie", `${SESSION_COOKIE}=${value}; ${SESSION_COOKIE}=${value}`]);
        if (r.cookie === "same-origin") headers.push(["Origin", s.url]);
        if (r.cookie === "foreign-origin") headers.push(["Origin", "https://evil.example"]);
      }
      const body = r.method === "GET" || r.method === "HEAD" ? undefined : bodies[r.body]!;
      if (body !== undefined) headers.push(["Content-Length", String(Buffer.byteLength(body))]);
      const query = [r.batch ? "batch=1" : "", r.query].filter(Boolean).join("&");
      const target = `/trpc/${r.path}${query ? `?${query}` : ""}`;
      // An SSE answer does not end by itself: a subscription's stream is cut after a moment.
      const response = await rawRequest(
        s.url,
        { method: r.method, target, headers, ...(body !== undefined ? { body } : {}) },
        r.accept === "text/event-stream" ? 300 : undefined,
      );
      const where = `raw HTTP ${r.method} /trpc/${r.path.slice(0, 40)}`;
      const shown = `${r.method} ${target.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} body #${r.body}`;
      const answer = response.text.slice(0, 800);
      if (response.status >= 500 || response.status === 0 || /"INTERNAL_SERVER_ERROR"/.test(response.text)) {
        local.add(`HTTP ${response.status}`, where, where, shown, answer);
      }
      for (const leak of leaksIn(response.text)) local.add("leak", leak, "raw HTTP /trpc", shown, answer);
    }
    const report = local.report();
    if (report) console.log(report);
    expect(report).toBe("");
  }, 300_000);

  it("answers malformed WebSocket frames without an internal error or a stack, and keeps serving", async () => {
    const local = new Findings();
    // Upgrades with a Host no URL can be built from: tRPC's handler used to throw, uncaught.
    for (const host of ["", "[::1", "a b", "localhost:99999"]) {
      const response = await rawRequest(
        s.url,
        {
          method: "GET",
          target: "/trpc?connectionParams=1",
          headers: [
            ["Host", host],
            ["Upgrade", "websocket"],
            ["Connection", "Upgrade"],
            ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
            ["Sec-WebSocket-Version", "13"],
          ],
        },
        300,
      );
      expect([host.slice(0, 20), response.status >= 400 && response.status < 500]).toEqual([
        host.slice(0, 20),
        true,
      ]);
    }
    const frames: (string | Buffer)[] = [
      "",
      "{",
      "null",
      "[]",
      "1e999",
      '{"id":1}',
      '{"id":1,"method":"query","params":{"path":"auth.me"}}',
      '{"id":{"a":1},"method":"query","params":{"path":"auth.me","input":null}}',
      `{"id":${"9".repeat(400)},"method":"query","params":{"path":"auth.me"}}`,
      '{"id":"x","method":"nope","params":{}}',
      '{"id":2,"method":"subscription.stop"}',
      '{"id":3,"method":"query","params":{"path":"__proto__","input":{}}}',
      '{"id":4,"method":"mutation","params":{"path":"shootouts.create","input":{"name":"\u0000"}}}',
      '{"id":5,"method":"subscription","params":{"path":"jobs.onMine","input":{"lastEventId":"0001-01-01T00:00:00.000Z"}}}',
      '{"id":5,"method":"subscription","params":{"path":"jobs.onMine","input":{}}}',
      '{"id":6,"method":"query","params":{"path":"shootouts.list","input":{"cursor":"MjAyNC0wMi0zMFQwMDowMDowMC4wMDAwMDBafDlhMGE2MzhkLTY4ZGUtNDQyOS1iZDgyLWFjYWE2ZWE5ZDE3Yw"}}}',
      JSON.stringify(
        Array.from({ length: 30 }, (_, i) => ({ id: 100 + i, method: "query", params: { path: "auth.me" } })),
      ),
      '{"method":"connectionParams","data":{"token":5}}',
      '{"method":"connectionParams","data":"x"}',
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      `{"id":7,"method":"query","params":{"path":"auth.me","input":"${"x".repeat(1_100_000)}"}}`,
    ];
    const runs = fc.sample(
      fc.record({
        who: fc.constantFrom<IdentityName>(...IDENTITIES),
        withParams: fc.boolean(),
        params: fc.constantFrom(
          '{"token":5}',
          "null",
          '"x"',
          '{"token":"x"}',
          `{"token":"${"t".repeat(600)}"}`,
          "[]",
        ),
        frames: fc.array(fc.constantFrom(...frames.keys()), { minLength: 1, maxLength: 4 }),
      }),
      {
        seed: seedFor(settings.seed, "trpc/ws-frames"),
        numRuns: Math.max(30, Math.round(settings.runs / 8)),
      },
    );
    for (const run of runs) {
      const messages: string[] = [];
      const url = `${s.url.replace("http", "ws")}/trpc${run.withParams ? "?connectionParams=1" : ""}`;
      const socket = new WebSocket(url);
      await new Promise<void>((resolve) => {
        socket.onopen = () => {
          const token = tokenOf(run.who);
          if (run.withParams) {
            socket.send(
              `{"method":"connectionParams","data":${token ? JSON.stringify({ token }) : run.params}}`,
            );
          }
          for (const i of run.frames) socket.send(frames[i]!);
          setTimeout(resolve, 120);
        };
        socket.onerror = () => resolve();
        socket.onmessage = (event) => messages.push(String(event.data));
      });
      socket.close();
      const shown = `${run.who} params=${run.withParams ? run.params : "-"} frames ${run.frames.join(",")}`;
      for (const message of messages) {
        if (message.includes('"INTERNAL_SERVER_ERROR"'))
          local.add("INTERNAL_SERVER_ERROR", "raw WebSocket", "raw WebSocket", shown, message.slice(0, 800));
        for (const leak of leaksIn(message))
          local.add("leak", leak, "raw WebSocket", shown, message.slice(0, 800));
      }
    }
    expect((await callOverWs(socket, "auth.me", "query", undefined)).code).toBe("OK");
    const report = local.report();
    if (report) console.log(report);
    expect(report).toBe("");
  }, 300_000);
});
