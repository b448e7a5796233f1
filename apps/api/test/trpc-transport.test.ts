import type { AppRouter } from "@shootout/router";
import { parseSessionToken } from "@shootout/router";
import { createTestUser } from "@shootout/router/testing";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { httpClient, trpcCodeOf, validShootoutInput } from "./helpers/clients.ts";
import { startTestApi, type TestApi } from "./helpers/start-api.ts";
import { upload, uploadedFile } from "./helpers/upload.ts";

let t: TestApi;
let alice: { user: { id: string; username: string }; token: string };

beforeAll(async () => {
  t = await startTestApi();
  alice = await createTestUser(t.database.db);
  // Half a second: the shortest DI a shootout takes.
  const response = await upload(t.url, alice.token, wavBytes(24_000));
  const di = uploadedFile.parse(await response.json());
  await httpClient(t.url, alice.token).shootouts.create.mutate(validShootoutInput(di.id, "first"));
});

afterAll(async () => {
  await t?.close();
});

function countingFetch(): { fetch: typeof fetch; count: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      n++;
      return fetch(input, init);
    },
    count: () => n,
  };
}

describe("tRPC over HTTP", () => {
  for (const stream of [false, true]) {
    it(`answers a batch of calls in one request (${stream ? "httpBatchStreamLink" : "httpBatchLink"})`, async () => {
      const counter = countingFetch();
      const client = httpClient(t.url, alice.token, { stream, fetch: counter.fetch });
      const [me, list, files] = await Promise.all([
        client.auth.me.query(),
        client.shootouts.list.query({}),
        client.files.list.query({}),
      ]);
      expect(counter.count()).toBe(1);
      expect(me?.user.id).toBe(alice.user.id);
      expect(list.items.map((s) => s.name)).toEqual(["first"]);
      expect(files.items).toHaveLength(1);
    });
  }

  it("treats a call without a session as signed out", async () => {
    const client = httpClient(t.url, null);
    expect(await client.auth.me.query()).toBeNull();
    expect(await trpcCodeOf(client.shootouts.list.query({}))).toBe("UNAUTHORIZED");
  });

  it("refuses a batch over the limit with 413 PAYLOAD_TOO_LARGE, saying the limit", async () => {
    const paths = Array.from({ length: t.api.limits.maxBatchSize + 1 }, () => "auth.me").join(",");
    const input = encodeURIComponent(JSON.stringify({}));
    const response = await fetch(`${t.url}/trpc/${paths}?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as
      | { error?: { message?: string; data?: { code?: string } } }[]
      | { error?: { message?: string; data?: { code?: string } } };
    const first = Array.isArray(body) ? body[0] : body;
    expect(first?.error?.data?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(first?.error?.message).toBe(
      `a batch may hold at most ${t.api.limits.maxBatchSize} calls; this one has ${t.api.limits.maxBatchSize + 1}`,
    );

    // Exactly at the limit is fine.
    const client = httpClient(t.url, alice.token, { maxItems: 100 });
    const results = await Promise.all(
      Array.from({ length: t.api.limits.maxBatchSize }, () => client.auth.me.query()),
    );
    expect(results.every((r) => r?.user.id === alice.user.id)).toBe(true);
  });

  it("refuses a tRPC body over maxBodySize with 413", async () => {
    const response = await fetch(`${t.url}/trpc/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ pad: "x".repeat(t.api.limits.maxBodyBytes + 10) }),
    });
    expect(response.status).toBe(413);
  });
});

describe("tRPC over WebSocket", () => {
  function wsClient(connectionParams: Record<string, string> | null) {
    const client = createWSClient({
      url: `${t.url.replace("http", "ws")}/trpc`,
      ...(connectionParams ? { connectionParams } : {}),
    });
    return { client, trpc: createTRPCClient<AppRouter>({ links: [wsLink({ client })] }) };
  }

  it("serves calls with the session from connectionParams.token", async () => {
    const { client, trpc } = wsClient({ token: alice.token });
    try {
      const me = await trpc.auth.me.query();
      expect(me?.user.id).toBe(alice.user.id);
      const list = await trpc.shootouts.list.query({});
      expect(list.items).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it("stops honouring a session revoked mid-socket on the very next call", async () => {
    const bob = await createTestUser(t.database.db);
    const { client, trpc } = wsClient({ token: bob.token });
    try {
      expect((await trpc.auth.me.query())?.user.id).toBe(bob.user.id);
      const sessionId = parseSessionToken(bob.token)!.id;
      await t.database.db.deleteFrom("sessions").where("id", "=", sessionId).execute();
      // Same socket (the context was built once), but every call re-validates.
      expect(await trpc.auth.me.query()).toBeNull();
      expect(await trpcCodeOf(trpc.shootouts.list.query({}))).toBe("UNAUTHORIZED");
    } finally {
      await client.close();
    }
  });

  it("refuses upgrades on other paths", async () => {
    const ws = new WebSocket(`${t.url.replace("http", "ws")}/elsewhere`);
    const outcome = await new Promise<string>((resolve) => {
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("error");
    });
    expect(outcome).toBe("error");
  });
});
