import type { AppRouter } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpClient, trpcCodeOf } from "./helpers/clients.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";

const WEB = "http://app.example";
const PUBLIC = "https://api.example";
const EVIL = "http://evil.example";

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi({
    env: { WEB_ORIGINS: WEB, PUBLIC_URL: `${PUBLIC}/` },
    limits: { callsPerMinute: 5 },
  });
});

afterAll(async () => {
  await t?.close();
});

function meUrl(count = 1): string {
  const paths = Array.from({ length: count }, () => "auth.me").join(",");
  return `${t.url}/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`;
}

type BatchItem = { result?: unknown; error?: { data?: { code?: string; httpStatus?: number } } };

describe("rate limit (per call, per user or IP)", () => {
  it("counts each call of a batch and answers 429 TOO_MANY_REQUESTS with Retry-After", async () => {
    const carol = await createTestUser(t.database.db);
    const auth = { authorization: `Bearer ${carol.token}` };

    // One request, three calls: three of the five spent.
    const first = await fetch(meUrl(3), { headers: auth });
    expect(first.status).toBe(200);

    // Three more calls in one batch: two fit, the third does not.
    const second = await fetch(meUrl(3), { headers: auth });
    const items = (await second.json()) as BatchItem[];
    expect(items.filter((i) => i.result !== undefined)).toHaveLength(2);
    const limited = items.filter((i) => i.error);
    expect(limited).toHaveLength(1);
    expect(limited[0]?.error?.data?.code).toBe("TOO_MANY_REQUESTS");
    expect(limited[0]?.error?.data?.httpStatus).toBe(429);

    const third = await fetch(meUrl(1), { headers: auth });
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await third.json()) as BatchItem[];
    expect(body[0]?.error?.data?.code).toBe("TOO_MANY_REQUESTS");

    // Another user has a budget of their own.
    const dave = await createTestUser(t.database.db);
    expect(await httpClient(t.url, dave.token).auth.me.query()).not.toBeNull();
  });

  it("limits calls over WebSocket too", async () => {
    const erin = await createTestUser(t.database.db);
    const client = createWSClient({
      url: `${t.url.replace("http", "ws")}/trpc`,
      connectionParams: { token: erin.token },
    });
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
    try {
      for (let i = 0; i < 5; i++) expect((await trpc.auth.me.query())?.user.id).toBe(erin.user.id);
      expect(await trpcCodeOf(trpc.auth.me.query())).toBe("TOO_MANY_REQUESTS");
    } finally {
      await client.close();
    }
  });
});

describe("CORS", () => {
  it("gives an allowed origin credentialed CORS headers", async () => {
    for (const origin of [WEB, PUBLIC]) {
      const response = await fetch(`${t.url}/healthz`, { headers: { origin } });
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
      expect(response.headers.get("access-control-allow-credentials")).toBe("true");
      expect(response.headers.get("vary")).toMatch(/origin/i);
    }
  });

  it("gives any other origin no CORS headers", async () => {
    const response = await fetch(`${t.url}/healthz`, { headers: { origin: EVIL } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("answers preflights: with the allowed methods and headers for an allowed origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/trpc/shootouts.create`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, authorization",
        },
      });
    const allowed = await preflight(WEB);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(WEB);
    expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");

    const refused = await preflight(EVIL);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("refuses the session cookie on requests from a foreign origin (no CSRF): 403", async () => {
    const frank = await createTestUser(t.database.db);
    const me = (origin: string) =>
      fetch(`${t.url}/trpc/auth.me`, { headers: { origin, cookie: `session=${frank.token}` } });
    const ours = await me(WEB);
    expect(ours.status).toBe(200);
    const body = (await ours.json()) as { result: { data: { user: { id: string } } | null } };
    expect(body.result.data?.user.id).toBe(frank.user.id);
    const foreign = await me(EVIL);
    expect(foreign.status).toBe(403);
    // Without the cookie, the same origin is just anonymous.
    const anonymous = await fetch(`${t.url}/trpc/auth.me`, { headers: { origin: EVIL } });
    expect(anonymous.status).toBe(200);
  });
});
