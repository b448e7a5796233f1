import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTone3000Client,
  createTone3000OAuth,
  createTone3000StandIn,
  isGrantRefusal,
  localhostFetch,
  type Tone3000OAuth,
  type Tone3000StandIn,
  type Tone3000Tokens,
  tone3000Hosts,
} from "../src/index.ts";
import { type DocShapedFake, startDocShapedFake } from "./doc-shaped-fake.ts";
import { CLIENT_ID, login, REDIRECT_URI, rejectionOf } from "./helpers.ts";

// Our client against two servers: the stand-in, and a fake built only from the official docs'
// shapes. Each run is boiled down to what the product relies on; the two must agree.

interface Target {
  baseUrl: string;
  oauth: Tone3000OAuth;
  tokens: Tone3000Tokens;
  /** A tone with A1, A2 and custom models, and an IR tone. */
  mixedToneId: number;
  irToneId: number;
}

async function run(target: Target) {
  const requests: URL[] = [];
  let current = target.tokens;
  const client = createTone3000Client({
    baseUrl: target.baseUrl,
    fetch: (input, init) => {
      requests.push(new URL(input instanceof Request ? input.url : input.toString()));
      return localhostFetch(input, init);
    },
    tokens: {
      getAccessToken: async () => current.accessToken,
      refresh: async () => {
        current = await target.oauth.refreshAccessToken(current.refreshToken);
        return current.accessToken;
      },
    },
  });
  const user = await client.getUser();
  const first = await client.searchTones({ pageSize: 2 });
  const walked: number[] = [];
  for await (const tone of client.allPages((page) => client.searchTones({ page, pageSize: 2 }))) {
    walked.push(tone.id);
  }
  await client.favoritedTones({ page: 1, pageSize: 5 });
  const favoritedQuery = requests.find((u) => u.pathname === "/api/v1/tones/favorited")!;

  const mixed = await client.getTone(target.mixedToneId);
  const models = await client.listAllModels(mixed);
  const byArchitecture = Object.fromEntries(models.map((m) => [m.architecture_version, m]));
  const a2 = await client.downloadModel(byArchitecture["2"]!);
  const a1 = await client.downloadModel(byArchitecture["1"]!);

  const irTone = await client.getTone(target.irToneId);
  const irModels = await client.listAllModels(irTone);
  const ir = await client.downloadFile(irModels[0]!);

  // Rotation through the token endpoint (no token_type in the answer), then a refused grant.
  const rotated = await target.oauth.refreshAccessToken(current.refreshToken);
  const refused = await rejectionOf(target.oauth.refreshAccessToken(current.refreshToken));
  current = rotated;
  const hosts = tone3000Hosts(target.baseUrl);

  return {
    user: { hasId: user.id.length > 0, hasName: user.username.length > 0 },
    page: {
      keys: Object.keys(first)
        .filter((k) => ["data", "page", "page_size", "total", "total_pages"].includes(k))
        .sort(),
      consistent: first.total_pages === Math.ceil(first.total / first.page_size),
      walkedAll: walked.length === first.total && new Set(walked).size === walked.length,
    },
    favoritedQuery: [...favoritedQuery.searchParams.keys()].sort(),
    mixed: {
      architectures: models.map((m) => m.architecture_version).sort(),
      allOnTone3000Hosts: models.every((m) => hosts.owns(new URL(m.model_url))),
      fileNames: models.every((m) => /\.nam$/.test(new URL(m.model_url).pathname)),
      a1: { architecture: a1.nam.architecture, sha256: a1.sha256 },
      a2: { architecture: a2.nam.architecture, version: a2.nam.version, sha256: a2.sha256 },
    },
    ir: {
      format: irTone.format ?? irTone.platform,
      files: [...new Set(irModels.map((m) => new URL(m.model_url).pathname.split(".").pop()))],
      riff: Buffer.from(ir.bytes.subarray(0, 4)).toString("latin1"),
    },
    tokens: {
      rotated: rotated.accessToken.length > 0 && rotated.refreshToken !== target.tokens.refreshToken,
      tokenType: rotated.tokenType,
      refusedAsGrant: isGrantRefusal(refused),
    },
  };
}

describe("contract: the stand-in and a fake built from the official docs agree", () => {
  let standIn: Tone3000StandIn;
  let fake: DocShapedFake;
  beforeAll(async () => {
    standIn = await createTone3000StandIn({});
    fake = await startDocShapedFake();
  });
  afterAll(async () => {
    await standIn?.close();
    await fake?.close();
  });

  it("reads both the same way", async () => {
    const standInOAuth = createTone3000OAuth({
      baseUrl: standIn.url,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
    });
    const fakeOAuth = createTone3000OAuth({
      baseUrl: fake.url,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
    });
    const fromStandIn = await run({
      baseUrl: standIn.url,
      oauth: standInOAuth,
      tokens: await login(standIn),
      mixedToneId: 109,
      irToneId: 110,
    });
    const fromDocs = await run({
      baseUrl: fake.url,
      oauth: fakeOAuth,
      tokens: await fakeOAuth.refreshAccessToken(fake.issueRefreshToken()),
      mixedToneId: 42,
      irToneId: 43,
    });
    expect(fromStandIn).toEqual(fromDocs);
    // And what they agree on is what the product needs.
    expect(fromDocs).toMatchObject({
      favoritedQuery: ["page", "page_size"],
      mixed: { architectures: ["1", "2", "custom"], allOnTone3000Hosts: true, fileNames: true },
      ir: { format: "ir", files: ["wav"], riff: "RIFF" },
      tokens: { rotated: true, tokenType: "bearer", refusedAsGrant: true },
    });
    expect(fromDocs.mixed.a2.architecture).toBe("SlimmableContainer");
  });
});
