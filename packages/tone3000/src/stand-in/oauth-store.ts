import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { OAuthState } from "./state-file.ts";

// The stand-in's authorization server state, in memory (grants optionally saved through
// `onChange`, see state-file.ts). Behaviour follows RFC 6749 + RFC 7636 and the OAuth 2.0
// Security BCP: single-use short-lived codes bound to client, redirect URI and PKCE challenge;
// refresh tokens rotate, and replaying a spent one revokes its whole family.

export interface RegisteredClient {
  clientId: string;
  /** Exact strings: no prefix or wildcard matching. */
  redirectUris: string[];
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  userId: string;
  expiresAt: number;
  used: boolean;
  /** Tokens issued with this code, revoked if the code is replayed. */
  familyId: string | undefined;
}

interface Family {
  userId: string;
  clientId: string;
  revoked: boolean;
}

interface AccessToken {
  familyId: string;
  userId: string;
  expiresAt: number;
}

interface RefreshToken {
  familyId: string;
  used: boolean;
}

export type TokenGrantResult =
  | { ok: true; accessToken: string; refreshToken: string; expiresIn: number }
  | {
      ok: false;
      status: 400 | 401;
      error: "invalid_grant" | "invalid_client" | "invalid_request" | "unsupported_grant_type";
      description: string;
    };

export interface OAuthStoreOptions {
  codeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  now?: () => number;
  /** Grants issued before (a saved state): their tokens keep working. */
  initialState?: OAuthState | null;
  /** Called with the grants after every change to them (not for codes, which stay in memory). */
  onChange?: (state: OAuthState) => void;
}

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;

/** Tokens are kept by hash, like a real server would: the saved state holds no usable token. */
const tokenKey = (value: string) => createHash("sha256").update(value, "utf8").digest("base64url");

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createOAuthStore(options: OAuthStoreOptions) {
  const now = options.now ?? Date.now;
  const clients = new Map<string, RegisteredClient>();
  const codes = new Map<string, AuthorizationCode>();
  const initial = options.initialState;
  const families = new Map<string, Family>(Object.entries(initial?.families ?? {}));
  const accessTokens = new Map<string, AccessToken>(Object.entries(initial?.accessTokens ?? {}));
  const refreshTokens = new Map<string, RefreshToken>(Object.entries(initial?.refreshTokens ?? {}));

  /** The grants as they stand; expired access tokens are left out (nothing can use them again). */
  function snapshot(): OAuthState {
    const at = now();
    return {
      version: 1,
      families: Object.fromEntries([...families].map(([id, f]) => [id, { ...f }])),
      accessTokens: Object.fromEntries(
        [...accessTokens].filter(([, t]) => t.expiresAt > at).map(([key, t]) => [key, { ...t }]),
      ),
      refreshTokens: Object.fromEntries([...refreshTokens].map(([key, t]) => [key, { ...t }])),
    };
  }

  function changed() {
    options.onChange?.(snapshot());
  }

  function issue(familyId: string, userId: string) {
    const accessToken = token("t3k_at");
    const refreshToken = token("t3k_rt");
    accessTokens.set(tokenKey(accessToken), {
      familyId,
      userId,
      expiresAt: now() + options.accessTokenTtlSeconds * 1000,
    });
    refreshTokens.set(tokenKey(refreshToken), { familyId, used: false });
    changed();
    return { ok: true as const, accessToken, refreshToken, expiresIn: options.accessTokenTtlSeconds };
  }

  function revokeFamily(familyId: string | undefined) {
    const family = familyId ? families.get(familyId) : undefined;
    if (family && !family.revoked) {
      family.revoked = true;
      changed();
    }
  }

  return {
    registerClient(client: RegisteredClient) {
      const existing = clients.get(client.clientId);
      const redirectUris = new Set([...(existing?.redirectUris ?? []), ...client.redirectUris]);
      clients.set(client.clientId, { clientId: client.clientId, redirectUris: [...redirectUris] });
    },
    client(clientId: string): RegisteredClient | undefined {
      return clients.get(clientId);
    },
    createCode(input: {
      clientId: string;
      redirectUri: string;
      codeChallenge: string;
      userId: string;
    }): string {
      const code = token("t3k_code");
      codes.set(code, {
        ...input,
        expiresAt: now() + options.codeTtlSeconds * 1000,
        used: false,
        familyId: undefined,
      });
      return code;
    },
    exchangeCode(input: {
      clientId: string;
      code: string;
      codeVerifier: string;
      redirectUri: string;
    }): TokenGrantResult {
      if (!clients.has(input.clientId))
        return { ok: false, status: 401, error: "invalid_client", description: "Unknown client_id" };
      const record = codes.get(input.code);
      if (!record)
        return { ok: false, status: 400, error: "invalid_grant", description: "Unknown authorization code" };
      if (record.used) {
        // Replay: the code leaked. Kill what it already bought (RFC 6749 §4.1.2).
        revokeFamily(record.familyId);
        return {
          ok: false,
          status: 400,
          error: "invalid_grant",
          description: "Authorization code already used",
        };
      }
      record.used = true;
      if (record.expiresAt <= now())
        return { ok: false, status: 400, error: "invalid_grant", description: "Authorization code expired" };
      if (record.clientId !== input.clientId)
        return {
          ok: false,
          status: 400,
          error: "invalid_grant",
          description: "Code was issued to another client",
        };
      if (record.redirectUri !== input.redirectUri)
        return {
          ok: false,
          status: 400,
          error: "invalid_grant",
          description: "redirect_uri does not match the authorize request",
        };
      if (!sameString(s256(input.codeVerifier), record.codeChallenge)) {
        return { ok: false, status: 400, error: "invalid_grant", description: "PKCE verification failed" };
      }
      const familyId = randomBytes(12).toString("base64url");
      families.set(familyId, { userId: record.userId, clientId: record.clientId, revoked: false });
      record.familyId = familyId;
      return issue(familyId, record.userId);
    },
    refresh(input: { clientId: string; refreshToken: string }): TokenGrantResult {
      if (!clients.has(input.clientId))
        return { ok: false, status: 401, error: "invalid_client", description: "Unknown client_id" };
      const record = refreshTokens.get(tokenKey(input.refreshToken));
      const family = record ? families.get(record.familyId) : undefined;
      if (!record || !family)
        return { ok: false, status: 400, error: "invalid_grant", description: "Unknown refresh token" };
      if (family.clientId !== input.clientId)
        return {
          ok: false,
          status: 400,
          error: "invalid_grant",
          description: "Refresh token belongs to another client",
        };
      if (record.used) {
        // Reuse of a rotated token: someone holds a copy. Revoke every token of the family.
        revokeFamily(record.familyId);
        return {
          ok: false,
          status: 400,
          error: "invalid_grant",
          description: "Refresh token reused; the session was revoked",
        };
      }
      if (family.revoked)
        return { ok: false, status: 400, error: "invalid_grant", description: "Refresh token revoked" };
      record.used = true;
      return issue(record.familyId, family.userId);
    },
    /** The user behind a Bearer token, or why not. */
    authenticate(accessToken: string): { ok: true; userId: string } | { ok: false; reason: string } {
      const record = accessTokens.get(tokenKey(accessToken));
      if (!record) return { ok: false, reason: "Invalid access token" };
      if (families.get(record.familyId)?.revoked) return { ok: false, reason: "Access token revoked" };
      if (record.expiresAt <= now()) return { ok: false, reason: "Access token expired" };
      return { ok: true, userId: record.userId };
    },
    /** Test helper: make an access token expire now (to provoke a 401 without waiting). */
    expireAccessToken(accessToken: string) {
      const record = accessTokens.get(tokenKey(accessToken));
      if (record) {
        record.expiresAt = 0;
        changed();
      }
    },
    /** The grants as they would be saved. */
    snapshot,
  };
}
export type OAuthStore = ReturnType<typeof createOAuthStore>;
