import {
  ArcticFetchError,
  CodeChallengeMethod,
  OAuth2Client,
  OAuth2RequestError,
  type OAuth2Tokens,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import { z } from "zod";
import { malformedFromZod, Tone3000Error } from "./errors.ts";
import { grantRefusalOf } from "./grant-refusal.ts";
import { TokenResponse } from "./schemas.ts";

export const Tone3000OAuthConfig = z.object({
  /** e.g. https://www.tone3000.com, or the stand-in's url. */
  baseUrl: z.url(),
  /** The publishable key (`t3k_pub_…`). */
  clientId: z.string().min(1),
  /** Must equal, byte for byte, the URI registered for the client. */
  redirectUri: z.url(),
});
export type Tone3000OAuthConfig = z.infer<typeof Tone3000OAuthConfig>;

export interface Tone3000Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token stops working (computed from `expires_in` at receipt). */
  accessTokenExpiresAt: Date;
  /** Always "bearer": Tone 3000 sends no `token_type` we could go by, and uses Bearer tokens. */
  tokenType: "bearer";
  scope: string | undefined;
}

/** Extra authorize parameters Tone 3000 understands. */
export interface AuthorizeOptions {
  prompt?: "select_tone" | "load_tone" | (string & {});
  toneId?: number | string;
  modelId?: number | string;
  /** Underscore-separated gear filter for the select UI, e.g. `amp_amp-cab`. */
  gears?: string;
  format?: string;
  architecture?: string;
  /** Who is expected to sign in (Tone 3000 pre-fills its login; the stand-in signs that user in). */
  loginHint?: string;
}

export interface Tone3000OAuth {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** PKCE S256 authorize URL; keep `state` and `codeVerifier` server-side until the callback. */
  createAuthorizationURL(state: string, codeVerifier: string, options?: AuthorizeOptions): URL;
  validateAuthorizationCode(code: string, codeVerifier: string): Promise<Tone3000Tokens>;
  /** Tone 3000 rotates refresh tokens: persist the returned `refreshToken`, the old one is spent. */
  refreshAccessToken(refreshToken: string): Promise<Tone3000Tokens>;
}

export function createTone3000OAuth(config: Tone3000OAuthConfig): Tone3000OAuth {
  const { baseUrl, clientId, redirectUri } = Tone3000OAuthConfig.parse(config);
  const authorizationEndpoint = new URL("/api/v1/oauth/authorize", baseUrl).toString();
  const tokenEndpoint = new URL("/api/v1/oauth/token", baseUrl).toString();
  // No client secret: the publishable key is public, PKCE protects the exchange.
  const client = new OAuth2Client(clientId, null, redirectUri);

  return {
    authorizationEndpoint,
    tokenEndpoint,
    createAuthorizationURL(state, codeVerifier, options = {}) {
      const url = client.createAuthorizationURLWithPKCE(
        authorizationEndpoint,
        state,
        CodeChallengeMethod.S256,
        codeVerifier,
        [],
      );
      const extra: Record<string, string | number | undefined> = {
        prompt: options.prompt,
        tone_id: options.toneId,
        model_id: options.modelId,
        gears: options.gears,
        format: options.format,
        architecture: options.architecture,
        login_hint: options.loginHint,
      };
      for (const [key, value] of Object.entries(extra)) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      return url;
    },
    async validateAuthorizationCode(code, codeVerifier) {
      return toTokens(
        await callTokenEndpoint(
          () => client.validateAuthorizationCode(tokenEndpoint, code, codeVerifier),
          tokenEndpoint,
        ),
        tokenEndpoint,
      );
    },
    async refreshAccessToken(refreshToken) {
      return toTokens(
        await callTokenEndpoint(
          () => client.refreshAccessToken(tokenEndpoint, refreshToken, []),
          tokenEndpoint,
        ),
        tokenEndpoint,
      );
    },
  };
}

function toTokens(tokens: OAuth2Tokens, url: string): Tone3000Tokens {
  const parsed = TokenResponse.safeParse(tokens.data);
  if (!parsed.success) throw malformedFromZod(parsed.error, "token response", url, 200);
  const data = parsed.data;
  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    accessTokenExpiresAt: new Date(Date.now() + data.expires_in * 1000),
    tokenType: "bearer",
    scope: data.scope ?? undefined,
  };
}

/** Arctic's errors, translated into ours so callers switch on one `kind`. */
async function callTokenEndpoint(call: () => Promise<OAuth2Tokens>, url: string): Promise<OAuth2Tokens> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OAuth2RequestError) {
      throw new Tone3000Error({
        kind: "oauth",
        code: grantRefusalOf(400, { error: error.code })?.code ?? error.code,
        url,
        message: `Tone 3000 token endpoint refused: ${error.code}${error.description ? ` (${error.description})` : ""}`,
        cause: error,
      });
    }
    if (error instanceof UnexpectedErrorResponseBodyError) {
      // Not RFC 6749's shape: perhaps GoTrue's `{"code","error_code","msg"}` refusal.
      const refusal = grantRefusalOf(error.status, error.data);
      if (refusal) {
        throw new Tone3000Error({
          kind: "oauth",
          status: error.status,
          code: refusal.code,
          url,
          message: `Tone 3000 token endpoint refused: ${refusal.upstreamCode}${refusal.description ? ` (${refusal.description})` : ""}`,
          cause: error,
        });
      }
      throw new Tone3000Error({
        kind: "malformed",
        status: error.status,
        url,
        message: `Unexpected token error body (HTTP ${error.status})`,
        cause: error,
      });
    }
    if (error instanceof UnexpectedResponseError) {
      const kind = error.status === 429 ? "rate_limited" : "http";
      throw new Tone3000Error({
        kind,
        status: error.status,
        url,
        message: `Token endpoint answered HTTP ${error.status}`,
        cause: error,
      });
    }
    if (error instanceof ArcticFetchError) {
      throw new Tone3000Error({
        kind: "network",
        url,
        message: `Could not reach the Tone 3000 token endpoint: ${error.message}`,
        cause: error,
      });
    }
    throw error;
  }
}
