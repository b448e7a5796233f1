import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTone3000StandIn, type Tone3000Client, type Tone3000StandIn } from "../src/index.ts";
import { clientFor, login, oauthFor, rejectionOf } from "./helpers.ts";

// Answers shaped like the live API's (list items, details, IR tones and models, token answers and
// refusals), served over real HTTP by the stand-in's fault hook, read by our client.

const liveListItem = {
  id: 51949,
  title: "Plexi 51",
  description: "Plexi 51 All Access set to a 68 Plexi",
  tags: [],
  makes: [{ name: "Marshall Plexi" }],
  gear: "amp",
  models_count: 6,
  a1_models_count: 3,
  a2_models_count: 3,
  irs_count: 0,
  custom_models_count: 0,
  favorites_count: 6,
  downloads_count: 429,
  created_at: "2026-01-25T18:27:37.799064+00:00",
  updated_at: "2026-01-25T18:27:37.799064+00:00",
  platform: "nam",
  images: ["https://api.tone3000.com/storage/v1/object/public/images/x.jpg"],
  user_id: "57af4bb9-80fe-43be-93b3-e3c9e9d92717",
  user: {
    username: "brucew",
    avatar_url: null,
    id: "57af4bb9-80fe-43be-93b3-e3c9e9d92717",
    url: "https://www.tone3000.com//brucew",
  },
  url: "https://www.tone3000.com//plexi-51-51949",
};

describe("reading the live API's shapes", () => {
  let standIn: Tone3000StandIn;
  let client: Tone3000Client;
  beforeAll(async () => {
    standIn = await createTone3000StandIn({});
    ({ client } = await clientFor(standIn));
  });
  afterAll(() => standIn.close());
  beforeEach(() => standIn.faults.clear());

  const page = (data: unknown[]) => ({ data, page: 1, page_size: 10, total: data.length, total_pages: 1 });

  it("a search page of live list items: no is_public/links/license/sizes, `platform` for format", async () => {
    standIn.faults.next({ path: "/api/v1/tones/search", body: page([liveListItem]) });
    const found = await client.searchTones({ query: "plexi" });
    expect(found.data[0]).toMatchObject({ id: 51949, platform: "nam", a2_models_count: 3 });
    for (const field of ["license", "sizes", "is_public", "links"] as const) {
      expect(found.data[0]![field] ?? null).toBeNull();
    }
  });

  it("new enum values (gear, format, licence, size, architecture) and extra fields pass as they come", async () => {
    standIn.faults.next({
      path: "/api/v1/tones/favorited",
      body: page([
        {
          ...liveListItem,
          gear: "synth",
          format: "nam-v3",
          license: "cc-by-4.0",
          sizes: ["huge"],
          brand_new: { x: 1 },
        },
      ]),
    });
    const favorites = await client.favoritedTones();
    expect(favorites.data[0]).toMatchObject({
      gear: "synth",
      format: "nam-v3",
      license: "cc-by-4.0",
      sizes: ["huge"],
    });
    expect((favorites.data[0] as Record<string, unknown>).brand_new).toEqual({ x: 1 });
    standIn.faults.next({
      path: "/api/v1/models",
      body: page([
        {
          id: 7,
          tone_id: 1,
          name: "m",
          model_url: "https://www.tone3000.com/x.nam",
          size: "pico",
          architecture_version: "3",
        },
      ]),
    });
    expect((await client.listModels({ toneId: 1 })).data[0]).toMatchObject({
      size: "pico",
      architecture_version: "3",
    });
  });

  it("a display field of the wrong type reads as null instead of refusing the page; a missing id still fails", async () => {
    standIn.faults.next({
      path: "/api/v1/tones/search",
      body: page([{ ...liveListItem, downloads_count: "many", images: "nope", makes: null }]),
    });
    const found = await client.searchTones();
    expect(found.data[0]).toMatchObject({ downloads_count: null, images: null, makes: null });
    standIn.faults.next({ path: "/api/v1/tones/search", body: page([{ ...liveListItem, id: undefined }]) });
    const error = await rejectionOf(client.searchTones());
    expect(error).toMatchObject({ kind: "malformed", fields: ["data.0.id"] });
  });

  it("an IR tone's detail (sizes: null) and its models (size: null, architecture_version: null)", async () => {
    const tone = await client.getTone(110);
    expect([tone.format, tone.sizes, tone.license, tone.irs_count]).toEqual(["ir", null, "t3k", 4]);
    expect(tone.created_at ?? null).toBeNull(); // the detail carries no dates
    const models = await client.listModels({ toneId: 110 });
    expect(models.data.map((m) => [m.size, m.architecture_version])).toEqual(
      Array.from({ length: 4 }, () => [null, null]),
    );
  });

  it("the stand-in's own lists leave out the detail-only fields, and its detail has them", async () => {
    const res = await fetch(`${standIn.url}/api/v1/tones/search?query=plexi&page_size=25`, {
      headers: { authorization: `Bearer ${(await login(standIn)).accessToken}` },
    });
    const body = (await res.json()) as { data: Record<string, unknown>[] };
    for (const item of body.data) {
      for (const field of ["is_public", "links", "license", "sizes"]) expect(item).not.toHaveProperty(field);
      expect(item).toHaveProperty("a1_models_count");
    }
    const detail = await client.getTone(103);
    expect(detail).toMatchObject({ is_public: true, license: "t3k", sizes: ["standard"] });
  });

  it("/models lists A1 only unless asked; listAllModels asks per architecture the counts name", async () => {
    expect((await client.listModels({ toneId: 109 })).data.map((m) => m.architecture_version)).toEqual(["1"]);
    expect((await client.listModels({ toneId: 109, architecture: "2" })).data.map((m) => m.id)).toEqual([
      1012,
    ]);
    const requested: string[] = [];
    const { client: watched } = await clientFor(standIn, {
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : input.toString());
        if (url.pathname === "/api/v1/models")
          requested.push(url.searchParams.get("architecture") ?? "default");
        return globalThis.fetch(input, init);
      },
    });
    const tone = await watched.getTone(101); // A1 + custom, no A2: no A2 listing is asked for
    expect((await watched.listAllModels(tone)).map((m) => m.id)).toEqual([1001, 1002]);
    expect(requested).toEqual(["default", "custom"]);
  });

  it("model_url names the file on the www. host, and downloads through it", async () => {
    const model = await client.getModel(1016);
    expect(model.model_url).toBe(`${standIn.filesUrl}/api/v1/models/1016/download/eminence.wav`);
    expect(new URL(model.model_url).hostname).toBe("www.localhost");
    const file = await client.downloadFile(model);
    expect(Buffer.from(file.bytes.subarray(0, 4)).toString("latin1")).toBe("RIFF");
    // The 44.1 kHz IR: its rate is in the fmt chunk, bytes 24..27.
    expect(Buffer.from(file.bytes).readUInt32LE(24)).toBe(44100);
  });

  it("token answers carry no token_type; a GoTrue-style refusal is a refused grant", async () => {
    const tokens = await login(standIn);
    const raw = await fetch(`${standIn.url}/api/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refreshToken,
        client_id: "t3k_pub_shootout_local",
      }),
    });
    const answer = (await raw.json()) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(["access_token", "expires_in", "refresh_token"]);

    standIn.faults.refuseGrantsAs("gotrue");
    try {
      const spent = await fetch(`${standIn.url}/api/v1/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: "t3k_rt_unknown",
          client_id: "t3k_pub_shootout_local",
        }),
      });
      expect(spent.status).toBe(400);
      expect(await spent.json()).toMatchObject({ code: 400, error_code: "refresh_token_not_found" });
      const error = await rejectionOf(oauthFor(standIn).refreshAccessToken("t3k_rt_unknown"));
      expect(error).toMatchObject({ kind: "oauth", code: "invalid_grant" });
      expect((error as Error).message).toMatch(/refresh_token_not_found/);
    } finally {
      standIn.faults.refuseGrantsAs("rfc");
    }
    // A GoTrue body that blames our request is not a refused grant.
    standIn.faults.next({
      path: "/api/v1/oauth/token",
      status: 400,
      body: { code: 400, error_code: "validation_failed", msg: "missing grant_type" },
    });
    expect(await rejectionOf(oauthFor(standIn).refreshAccessToken("x"))).toMatchObject({ kind: "malformed" });
  });
});
