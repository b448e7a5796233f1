import { expect } from "vitest";
import {
  createTone3000Client,
  createTone3000OAuth,
  DEFAULT_STAND_IN_CLIENT,
  generateCodeVerifier,
  generateState,
  type Tone3000Client,
  type Tone3000ClientOptions,
  type Tone3000StandIn,
  type Tone3000Tokens,
} from "../src/index.ts";

export const CLIENT_ID = DEFAULT_STAND_IN_CLIENT.clientId;
export const REDIRECT_URI = DEFAULT_STAND_IN_CLIENT.redirectUris[0]!;

export function oauthFor(standIn: Tone3000StandIn, redirectUri = REDIRECT_URI) {
  return createTone3000OAuth({ baseUrl: standIn.url, clientId: CLIENT_ID, redirectUri });
}

/** Runs the authorize step by hand: returns the redirect's query (code, state, …). */
export async function authorize(url: URL): Promise<URLSearchParams> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const location = response.headers.get("location");
  expect(location).toBeTruthy();
  return new URL(location!).searchParams;
}

export async function login(standIn: Tone3000StandIn): Promise<Tone3000Tokens> {
  const oauth = oauthFor(standIn);
  const verifier = generateCodeVerifier();
  const query = await authorize(oauth.createAuthorizationURL(generateState(), verifier));
  return oauth.validateAuthorizationCode(query.get("code")!, verifier);
}

/** A TokenSource over an in-memory pair, the way the router would do it over the database. */
export function memoryTokens(standIn: Tone3000StandIn, initial: Tone3000Tokens) {
  const oauth = oauthFor(standIn);
  const state = { current: initial, refreshes: 0 };
  return {
    state,
    source: {
      getAccessToken: async () => state.current.accessToken,
      refresh: async () => {
        state.refreshes++;
        state.current = await oauth.refreshAccessToken(state.current.refreshToken);
        return state.current.accessToken;
      },
    },
  };
}

export async function clientFor(
  standIn: Tone3000StandIn,
  options: Partial<Omit<Tone3000ClientOptions, "baseUrl" | "tokens">> = {},
): Promise<{ client: Tone3000Client; tokens: ReturnType<typeof memoryTokens> }> {
  const tokens = memoryTokens(standIn, await login(standIn));
  const client = createTone3000Client({ baseUrl: standIn.url, tokens: tokens.source, ...options });
  return { client, tokens };
}

/** The rejection of a promise, for asserting on its fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
