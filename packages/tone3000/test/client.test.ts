import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTone3000StandIn,
  parseRetryAfter,
  profileOfIssuedToken,
  Tone3000Error,
  type Tone3000StandIn,
} from "../src/index.ts";
import { clientFor, login, rejectionOf } from "./helpers.ts";

let standIn: Tone3000StandIn;
beforeAll(async () => {
  standIn = await createTone3000StandIn({ rateLimitPerMinute: 10_000 });
});
afterEach(() => standIn.faults.clear());
afterAll(() => standIn.close());

const bundled = (file: string) => readFileSync(new URL(`../catalog/${file}`, import.meta.url));

describe("Tone 3000 client", () => {
  it("allPages yields every tone exactly once across pages", async () => {
    const { client } = await clientFor(standIn);
    const all = await client.searchTones({ pageSize: 25 });
    expect(all.total).toBeGreaterThan(5);
    const seen: number[] = [];
    let pagesFetched = 0;
    for await (const tone of client.allPages((page) => {
      pagesFetched++;
      return client.searchTones({ page, pageSize: 3 });
    })) {
      seen.push(tone.id);
    }
    expect(seen.length).toBe(all.total);
    expect(new Set(seen).size).toBe(all.total);
    expect([...seen].sort()).toEqual(all.data.map((t) => t.id).sort());
    expect(pagesFetched).toBe(Math.ceil(all.total / 3));
  });

  it("passes filters through to the API (gears, format, creators)", async () => {
    const { client } = await clientFor(standIn);
    const irs = await client.searchTones({ format: "ir" });
    expect(irs.data.map((t) => t.id)).toEqual([110, 106]);
    const pedalsAndCabs = await client.searchTones({ gears: ["pedal", "cab"] });
    expect(pedalsAndCabs.data.map((t) => t.gear).sort()).toEqual(["cab", "cab", "pedal"]);
    const byCreator = await client.searchTones({ creators: ["synth-lab"] });
    expect(byCreator.data.every((t) => t.user.username === "synth-lab")).toBe(true);
    expect(byCreator.total).toBe(2);
  });

  it("waits for Retry-After on a 429, then succeeds", async () => {
    const { client } = await clientFor(standIn);
    standIn.faults.next({
      path: "/api/v1/user",
      status: 429,
      body: { error: "Too many requests" },
      headers: { "retry-after": "1" },
    });
    const started = Date.now();
    const user = await client.getUser();
    expect(user.id).toBe("local-user");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(standIn.faults.log.map((f) => f.status)).toEqual([429]);
  });

  it("refreshes once on a 401 and retries with the new token", async () => {
    const { client, tokens } = await clientFor(standIn);
    const oldAccess = tokens.state.current.accessToken;
    standIn.oauth.expireAccessToken(oldAccess);
    const user = await client.getUser();
    expect(user.username).toBe("local");
    expect(tokens.state.refreshes).toBe(1);
    expect(tokens.state.current.accessToken).not.toBe(oldAccess);
  });

  it("gives up with `unauthorized` when the refreshed token is refused too", async () => {
    const { client, tokens } = await clientFor(standIn);
    standIn.faults.next({ path: "/api/v1/user", status: 401, body: { error: "Unauthorized" }, times: 2 });
    const error = await rejectionOf(client.getUser());
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(tokens.state.refreshes).toBe(1);
  });

  it("fails with rate_limited after maxRetries when 429 never stops", async () => {
    const { client } = await clientFor(standIn, { maxRetries: 2, retryBaseDelayMs: 10 });
    standIn.faults.next({
      path: "/api/v1/tones/101",
      status: 429,
      body: { error: "Too many requests" },
      times: Number.POSITIVE_INFINITY,
    });
    const error = await rejectionOf(client.getTone(101));
    expect(error).toBeInstanceOf(Tone3000Error);
    expect(error).toMatchObject({ kind: "rate_limited", status: 429 });
    expect((error as Tone3000Error).url).toContain("/api/v1/tones/101");
    expect(standIn.faults.log.length).toBe(3); // the first try + 2 retries
  });

  it("does not sleep through a Retry-After longer than it accepts", async () => {
    const { client } = await clientFor(standIn, { maxRetryDelayMs: 1000 });
    standIn.faults.next({ path: "/api/v1/user", status: 429, headers: { "retry-after": "120" } });
    const started = Date.now();
    const error = await rejectionOf(client.getUser());
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 120_000 });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("reports a malformed response naming the field", async () => {
    const { client } = await clientFor(standIn);
    const real = await client.getTone(103);
    standIn.faults.next({
      path: "/api/v1/tones/103",
      status: 200,
      body: { ...real, user: { ...real.user, username: 42 } },
    });
    const error = await rejectionOf(client.getTone(103));
    expect(error).toMatchObject({ kind: "malformed", status: 200 });
    expect((error as Tone3000Error).fields).toContain("user.username");
    expect((error as Error).message).toContain("user.username");
  });

  it("tolerates unknown fields", async () => {
    const { client } = await clientFor(standIn);
    const real = await client.getTone(103);
    standIn.faults.next({
      path: "/api/v1/tones/103",
      status: 200,
      body: { ...real, shiny_new_field: { nested: true } },
    });
    const tone = await client.getTone(103);
    expect(tone.title).toBe(real.title);
  });

  it("maps 404 to not_found with status and URL", async () => {
    const { client } = await clientFor(standIn);
    const error = await rejectionOf(client.getTone(999_999));
    expect(error).toMatchObject({ kind: "not_found", status: 404 });
    expect((error as Tone3000Error).url).toContain("/api/v1/tones/999999");
  });

  it("downloads a model with its sha256, and the tone's download count goes up", async () => {
    const { client } = await clientFor(standIn);
    const before = (await client.getTone(102)).downloads_count;
    const [model] = (await client.listModels({ toneId: 102 })).data;
    const file = await client.downloadModel(model!);
    const expected = bundled("models/dumble.nam");
    expect(file.size).toBe(expected.length);
    expect(file.sha256).toBe(createHash("sha256").update(expected).digest("hex"));
    expect(file.nam.architecture).toBe("WaveNet");
    expect((await client.getTone(102)).downloads_count).toBe((before ?? 0) + 1);
  });

  it("downloads an IR with downloadFile, and downloadModel refuses it as not .nam", async () => {
    const { client } = await clientFor(standIn);
    const model = await client.getModel(1007);
    const file = await client.downloadFile(model);
    expect(Buffer.from(file.bytes.subarray(0, 4)).toString("ascii")).toBe("RIFF");
    expect(file.sha256).toBe(
      createHash("sha256").update(bundled("irs/synthetic_4x12_closed.wav")).digest("hex"),
    );
    expect(await rejectionOf(client.downloadModel(model))).toMatchObject({ kind: "malformed" });
  });

  it("rejects JSON that is not shaped like a .nam model", async () => {
    const { client } = await clientFor(standIn);
    const model = await client.getModel(1005);
    standIn.faults.next({
      path: "/api/v1/models/1005/download/wavenet.nam",
      status: 200,
      body: { name: "not a model", weights: "nope" },
    });
    const error = await rejectionOf(client.downloadModel(model));
    expect(error).toMatchObject({ kind: "malformed" });
    expect((error as Tone3000Error).fields).toEqual(
      expect.arrayContaining(["architecture", "config", "weights"]),
    );
  });

  it("refuses a model over the cap from its Content-Length", async () => {
    const { client } = await clientFor(standIn);
    const model = await client.getModel(1001); // 407 452 bytes
    const error = await rejectionOf(client.downloadModel(model, { maxBytes: 100_000 }));
    expect(error).toMatchObject({ kind: "too_large" });
    expect((error as Error).message).toContain("Content-Length 407452");
  });

  it("stops reading a streamed body once it passes the cap (no Content-Length)", async () => {
    const { client } = await clientFor(standIn);
    const model = await client.getModel(1001);
    const total = 256 * 1024 * 1024;
    standIn.faults.next({
      path: "/api/v1/models/1001/download/wavenet_a1_standard.nam",
      status: 200,
      streamBytes: total,
      chunkBytes: 64 * 1024,
    });
    const error = await rejectionOf(client.downloadModel(model, { maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ kind: "too_large" });
    await expect.poll(() => standIn.faults.log[0]?.clientClosedEarly, { timeout: 5000 }).toBe(true);
    // The server could only push what socket buffers hold before the client hung up.
    expect(standIn.faults.log[0]!.bytesWritten).toBeLessThan(total / 8);
  });

  it("times out a slow answer", async () => {
    const { client } = await clientFor(standIn, { timeoutMs: 200 });
    standIn.faults.next({ path: "/api/v1/user", delayMs: 3000, body: {} });
    const started = Date.now();
    const error = await rejectionOf(client.getUser());
    expect(error).toMatchObject({ kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("aborts when the caller's signal fires, also during a 429 wait", async () => {
    const { client } = await clientFor(standIn);
    standIn.faults.next({ path: "/api/v1/user", delayMs: 3000, body: {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await rejectionOf(client.getUser({ signal: controller.signal }))).toMatchObject({
      kind: "aborted",
    });

    standIn.faults.clear();
    standIn.faults.next({ path: "/api/v1/user", status: 429, headers: { "retry-after": "30" } });
    const second = new AbortController();
    setTimeout(() => second.abort(), 100);
    const started = Date.now();
    expect(await rejectionOf(client.getUser({ signal: second.signal }))).toMatchObject({ kind: "aborted" });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("profileOfIssuedToken (the end of a sign-in)", () => {
  it("reads the profile of the account a token was issued for", async () => {
    const tokens = await login(standIn);
    const user = await profileOfIssuedToken({ baseUrl: standIn.url, accessToken: tokens.accessToken });
    expect(user.username).toBe("local");
  });

  it("a token refused at once is an oauth error (the sign-in failed), with no refresh tried", async () => {
    const error = await rejectionOf(
      profileOfIssuedToken({ baseUrl: standIn.url, accessToken: "not-issued" }),
    );
    expect(error).toBeInstanceOf(Tone3000Error);
    expect(error).toMatchObject({ kind: "oauth", message: "Tone 3000 refused the token it just issued" });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
