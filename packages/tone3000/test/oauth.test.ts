import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTone3000Client,
  createTone3000StandIn,
  generateCodeVerifier,
  generateState,
  Tone3000Error,
  type Tone3000StandIn,
} from "../src/index.ts";
import { authorize, CLIENT_ID, oauthFor, REDIRECT_URI, rejectionOf } from "./helpers.ts";

let standIn: Tone3000StandIn;
beforeAll(async () => {
  standIn = await createTone3000StandIn({ codeTtlSeconds: 0.3 });
});
afterAll(() => standIn.close());

function expectOAuthError(error: unknown, code: string) {
  expect(error).toBeInstanceOf(Tone3000Error);
  expect(error).toMatchObject({ kind: "oauth", code });
}

async function userWith(accessToken: string) {
  const client = createTone3000Client({
    baseUrl: standIn.url,
    tokens: { getAccessToken: async () => accessToken, refresh: async () => accessToken },
  });
  return client.getUser();
}

describe("PKCE authorization code flow against the stand-in", () => {
  it("authorizes, echoes state, exchanges the code and refreshes with rotation", async () => {
    const oauth = oauthFor(standIn);
    const state = generateState();
    const verifier = generateCodeVerifier();
    const url = oauth.createAuthorizationURL(state, verifier);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(url.searchParams.get("code_challenge")).not.toBe(verifier);

    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("state")).toBe(state);
    const code = location.searchParams.get("code")!;
    expect(code).toBeTruthy();

    const before = Date.now();
    const tokens = await oauth.validateAuthorizationCode(code, verifier);
    expect(tokens.tokenType).toBe("bearer");
    expect(tokens.accessTokenExpiresAt.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect((await userWith(tokens.accessToken)).username).toBe("local");

    const rotated = await oauth.refreshAccessToken(tokens.refreshToken);
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(rotated.accessToken).not.toBe(tokens.accessToken);
    expect((await userWith(rotated.accessToken)).id).toBe("local-user");
  });

  it("passes tone_id through the redirect when asked for a tone", async () => {
    const url = oauthFor(standIn).createAuthorizationURL(generateState(), generateCodeVerifier(), {
      prompt: "load_tone",
      toneId: 102,
    });
    expect((await authorize(url)).get("tone_id")).toBe("102");
  });

  it("rejects a wrong code verifier", async () => {
    const oauth = oauthFor(standIn);
    const query = await authorize(oauth.createAuthorizationURL(generateState(), generateCodeVerifier()));
    expectOAuthError(
      await rejectionOf(oauth.validateAuthorizationCode(query.get("code")!, generateCodeVerifier())),
      "invalid_grant",
    );
  });

  it("rejects a reused code and revokes the tokens it bought", async () => {
    const oauth = oauthFor(standIn);
    const verifier = generateCodeVerifier();
    const code = (await authorize(oauth.createAuthorizationURL(generateState(), verifier))).get("code")!;
    const first = await oauth.validateAuthorizationCode(code, verifier);
    expectOAuthError(await rejectionOf(oauth.validateAuthorizationCode(code, verifier)), "invalid_grant");
    expect(await rejectionOf(userWith(first.accessToken))).toMatchObject({
      kind: "unauthorized",
      status: 401,
    });
  });

  it("rejects an expired code", async () => {
    const oauth = oauthFor(standIn);
    const verifier = generateCodeVerifier();
    const code = (await authorize(oauth.createAuthorizationURL(generateState(), verifier))).get("code")!;
    await new Promise((resolve) => setTimeout(resolve, 400)); // TTL is 0.3 s here
    const error = await rejectionOf(oauth.validateAuthorizationCode(code, verifier));
    expectOAuthError(error, "invalid_grant");
    expect((error as Error).message).toMatch(/expired/);
  });

  it("rejects a redirect_uri at the token endpoint that differs from the authorize request", async () => {
    const verifier = generateCodeVerifier();
    const code = (await authorize(oauthFor(standIn).createAuthorizationURL(generateState(), verifier))).get(
      "code",
    )!;
    standIn.registerClient({ clientId: CLIENT_ID, redirectUris: ["http://localhost:3000/other"] });
    const other = oauthFor(standIn, "http://localhost:3000/other");
    expectOAuthError(await rejectionOf(other.validateAuthorizationCode(code, verifier)), "invalid_grant");
  });

  it("shows an error page, not a redirect, for an unregistered redirect_uri or unknown client", async () => {
    const evil = oauthFor(standIn, "http://localhost:3000/auth/callback/evil").createAuthorizationURL(
      generateState(),
      generateCodeVerifier(),
    );
    const response = await fetch(evil, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toMatch(/redirect_uri/);

    const unknown = oauthFor(standIn).createAuthorizationURL(generateState(), generateCodeVerifier());
    unknown.searchParams.set("client_id", "t3k_pub_nobody");
    const response2 = await fetch(unknown, { redirect: "manual" });
    expect(response2.status).toBe(400);
    expect(response2.headers.get("location")).toBeNull();
  });

  it("a reused refresh token revokes the whole family, including the newest tokens", async () => {
    const oauth = oauthFor(standIn);
    const verifier = generateCodeVerifier();
    const code = (await authorize(oauth.createAuthorizationURL(generateState(), verifier))).get("code")!;
    const first = await oauth.validateAuthorizationCode(code, verifier);
    const second = await oauth.refreshAccessToken(first.refreshToken);
    expect((await userWith(second.accessToken)).id).toBe("local-user");

    expectOAuthError(await rejectionOf(oauth.refreshAccessToken(first.refreshToken)), "invalid_grant");
    expect(await rejectionOf(userWith(second.accessToken))).toMatchObject({ kind: "unauthorized" });
    expectOAuthError(await rejectionOf(oauth.refreshAccessToken(second.refreshToken)), "invalid_grant");
  });
});
