import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiErrorBody, createTone3000StandIn, Page, Tone, type Tone3000StandIn } from "../src/index.ts";
import { login } from "./helpers.ts";

const TonePage = Page(Tone);

describe("stand-in rate limit", () => {
  let standIn: Tone3000StandIn;
  beforeAll(async () => {
    standIn = await createTone3000StandIn({ rateLimitPerMinute: 5 });
  });
  afterAll(() => standIn.close());

  it("answers 429 with Retry-After after N requests per token, other tokens unaffected", async () => {
    const a = await login(standIn);
    const b = await login(standIn);
    const get = (token: string) =>
      fetch(`${standIn.url}/api/v1/user`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) expect((await get(a.accessToken)).status).toBe(200);
    const limited = await get(a.accessToken);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({ error: "Too many requests" });
    expect((await get(b.accessToken)).status).toBe(200);
  });
});

describe("stand-in API", () => {
  let standIn: Tone3000StandIn;
  let token: string;
  beforeAll(async () => {
    standIn = await createTone3000StandIn({});
    token = (await login(standIn)).accessToken;
  });
  afterAll(() => standIn.close());

  const get = (path: string, bearer: string | null = token) =>
    fetch(`${standIn.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const search = async (query: string) => {
    const response = await get(`/api/v1/tones/search?${query}`);
    expect(response.status).toBe(200);
    return TonePage.parse(await response.json());
  };

  it("refuses page_size over 25 with a 400 error body", async () => {
    const response = await get("/api/v1/tones/search?page_size=26");
    expect(response.status).toBe(400);
    expect(ApiErrorBody.parse(await response.json()).error).toMatch(/page_size/);
    expect((await get("/api/v1/tones/search?page_size=25")).status).toBe(200);
    expect((await get("/api/v1/models?tone_id=101&page_size=100")).status).toBe(400);
  });

  it("requires a Bearer token, and a valid one", async () => {
    const missing = await get("/api/v1/user", null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: "Unauthorized" });
    expect((await get("/api/v1/user", "t3k_at_forged")).status).toBe(401);
    expect((await get("/api/v1/models/1001/download", null)).status).toBe(401);
  });

  it("expires access tokens after their TTL", async () => {
    const shortLived = await createTone3000StandIn({ accessTokenTtlSeconds: 0.2 });
    try {
      const t = await login(shortLived);
      const call = () =>
        fetch(`${shortLived.url}/api/v1/user`, { headers: { authorization: `Bearer ${t.accessToken}` } });
      expect((await call()).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await call()).status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });

  it("paginates with correct metadata, including past the end", async () => {
    const all = await search("page_size=25");
    const page2 = await search("page=2&page_size=3");
    expect(page2).toMatchObject({
      page: 2,
      page_size: 3,
      total: all.total,
      total_pages: Math.ceil(all.total / 3),
    });
    expect(page2.data.map((t) => t.id)).toEqual(all.data.slice(3, 6).map((t) => t.id));
    const beyond = await search("page=99&page_size=3");
    expect(beyond.data).toEqual([]);
    expect(beyond.total).toBe(all.total);
  });

  it("matches query words case-insensitively in title, description and tags", async () => {
    expect((await search("query=HIGH-GAIN")).data.map((t) => t.id)).toEqual([103]); // a tag
    expect((await search("query=feather")).data.map((t) => t.id).sort()).toEqual([102, 108]); // descriptions
    expect((await search("query=jcm800%20rig")).data.map((t) => t.id)).toEqual([103]); // both words, title
    expect((await search("query=nothing-matches-this")).total).toBe(0);
  });

  it("filters by gears, format, sizes, architecture, tags, makes and creators", async () => {
    expect((await search("gears=amp-cab_pedal")).data.map((t) => t.id).sort()).toEqual([103, 104]);
    expect((await search("format=ir")).data.map((t) => t.id)).toEqual([110, 106]);
    expect((await search("sizes=feather")).data.map((t) => t.id).sort()).toEqual([102, 108]);
    expect((await search("sizes=nano_feather")).data.map((t) => t.id).sort()).toEqual([102, 104, 108]);
    expect((await search("architecture=2")).data.map((t) => t.id)).toEqual([109]);
    expect((await search("tags=Blues")).data.map((t) => t.id)).toEqual([102]);
    expect((await search("makes=marshall")).data.map((t) => t.id)).toEqual([103]);
    expect((await search("creators=synth-lab,local")).data.map((t) => t.id).sort()).toEqual([
      105, 106, 107, 108,
    ]);
    expect((await get("/api/v1/tones/search?gears=banjo")).status).toBe(400);
    expect((await get("/api/v1/tones/search?sort=loudest")).status).toBe(400);
  });

  it("sorts by downloads, newest and oldest", async () => {
    const downloads = (await search("sort=downloads-all-time&page_size=25")).data.map(
      (t) => t.downloads_count,
    );
    expect(downloads).toEqual([...downloads].sort((a, b) => (b ?? 0) - (a ?? 0)));
    const newest = (await search("sort=newest&page_size=25")).data.map((t) => t.created_at!);
    expect(newest).toEqual([...newest].sort().reverse());
    const oldest = (await search("sort=oldest&page_size=25")).data.map((t) => t.created_at!);
    expect(oldest).toEqual([...oldest].sort());
  });

  it("lists the user's created and favorited tones; private tones stay private", async () => {
    const created = TonePage.parse(await (await get("/api/v1/tones/created")).json());
    expect(created.data.map((t) => t.id).sort()).toEqual([107, 108]);
    const favorited = TonePage.parse(await (await get("/api/v1/tones/favorited")).json());
    expect(favorited.data.map((t) => t.id)).toEqual([102, 103, 106, 110]);

    const other = await createTone3000StandIn({ autoApproveUser: "synth-lab" });
    try {
      const otherToken = (await login(other)).accessToken;
      const privateTone = await fetch(`${other.url}/api/v1/tones/107`, {
        headers: { authorization: `Bearer ${otherToken}` },
      });
      expect(privateTone.status).toBe(403);
      const found = await fetch(`${other.url}/api/v1/tones/search?query=bedroom`, {
        headers: { authorization: `Bearer ${otherToken}` },
      });
      expect(TonePage.parse(await found.json()).total).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("gives 404 bodies like the API for unknown tones, models and paths", async () => {
    for (const path of [
      "/api/v1/tones/4242",
      "/api/v1/models/4242",
      "/api/v1/models/4242/download",
      "/api/v1/nope",
    ]) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(ApiErrorBody.parse(await response.json()).error.length).toBeGreaterThan(0);
    }
  });

  it("serves the bundled .nam file with its length and counts the download", async () => {
    const before = Tone.parse(await (await get("/api/v1/tones/104")).json()).downloads_count;
    // The unnamed path redirects to the named file on the files host (www.localhost:port).
    const unnamed = await fetch(`${standIn.url}/api/v1/models/1005/download`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(unnamed.status).toBe(302);
    const named = new URL(unnamed.headers.get("location")!);
    expect(named.origin).toBe(standIn.filesUrl);
    expect(named.hostname).toBe("www.localhost");
    expect(named.pathname).toBe("/api/v1/models/1005/download/wavenet.nam");
    const response = await get(named.pathname);
    expect(response.status).toBe(200);
    const body = await response.arrayBuffer();
    expect(Number(response.headers.get("content-length"))).toBe(body.byteLength);
    expect(JSON.parse(Buffer.from(body).toString("utf8")).architecture).toBe("WaveNet");
    expect(Tone.parse(await (await get("/api/v1/tones/104")).json()).downloads_count).toBe((before ?? 0) + 1);
  });

  it("denies the authorization when no user is auto-approved", async () => {
    const denying = await createTone3000StandIn({ autoApproveUser: false });
    try {
      const url = new URL(`${denying.url}/api/v1/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: "t3k_pub_shootout_local",
        redirect_uri: "http://localhost:3000/auth/callback",
        response_type: "code",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        state: "xyz",
      }).toString();
      const response = await fetch(url, { redirect: "manual" });
      const location = new URL(response.headers.get("location")!);
      expect(location.searchParams.get("error")).toBe("access_denied");
      expect(location.searchParams.get("state")).toBe("xyz");
      expect(location.searchParams.get("code")).toBeNull();
    } finally {
      await denying.close();
    }
  });
});
