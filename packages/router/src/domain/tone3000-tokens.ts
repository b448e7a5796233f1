import type { DB } from "@shootout/db";
import {
  isGrantRefusal,
  type TokenCipher,
  TokenCipherError,
  type TokenSource,
  type Tone3000Tokens,
} from "@shootout/tone3000";
import type { Kysely, Transaction } from "kysely";

type Db = Kysely<DB> | Transaction<DB>;

/** Refresh this long before the stored expiry, so a call never starts with a token about to die. */
export const DEFAULT_REFRESH_BEFORE_MS = 60_000;
/** A refresh holds the user's row lock; it must not hold it forever if Tone 3000 hangs. */
const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;

export type Tone3000SignInReason = "no_tokens" | "unreadable" | "revoked" | "no_user";

/**
 * The user's Tone 3000 grant is missing, unreadable (key changed) or was refused: only a new
 * login fixes it. The tones router turns this into UNAUTHORIZED.
 */
export class Tone3000SignInRequiredError extends Error {
  readonly reason: Tone3000SignInReason;
  constructor(reason: Tone3000SignInReason, cause?: unknown) {
    const why: Record<Tone3000SignInReason, string> = {
      no_tokens: "no Tone 3000 access is stored for this account",
      unreadable: "the stored Tone 3000 access can no longer be read",
      revoked: "Tone 3000 refused the stored access (expired or revoked)",
      no_user: "the account no longer exists",
    };
    super(`${why[reason]}: sign in to Tone 3000 again`, cause === undefined ? undefined : { cause });
    this.name = "Tone3000SignInRequiredError";
    this.reason = reason;
  }
}

/** Tokens as the OAuth exchange returns them (Tone3000Tokens fits). */
export interface Tone3000TokenSet {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
}

export interface Tone3000TokenStoreOptions {
  db: Kysely<DB>;
  /** Encrypts tokens at rest; the user id is the associated data, binding a ciphertext to its row. */
  cipher: TokenCipher;
  /** Spends a refresh token for a new pair (`oauth.refreshAccessToken`). */
  refresh: (refreshToken: string) => Promise<Tone3000Tokens>;
  refreshBeforeMs?: number;
  refreshTimeoutMs?: number;
  now?: () => number;
}

export interface Tone3000TokenStore {
  /** Stores a fresh pair for `userId`, encrypted (in the caller's transaction when given one). */
  save(userId: string, tokens: Tone3000TokenSet, db?: Db): Promise<void>;
  /** A TokenSource for the API client, acting for `userId`. */
  tokenSource(userId: string): TokenSource;
}

interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

type RotateOutcome = { kind: "ok"; accessToken: string } | { kind: "dead"; cause: unknown };

/**
 * Tone 3000 tokens kept server-side, per user. Refresh tokens rotate and a replayed one revokes
 * the whole grant, so refreshes are serialised twice: in this process by a promise per user
 * (concurrent calls share one refresh), across processes by the user's row lock (`for update`);
 * whoever gets the lock second sees the stored refresh token changed and uses the new access
 * token instead of spending the old refresh token again.
 */
export function createTone3000TokenStore(options: Tone3000TokenStoreOptions): Tone3000TokenStore {
  const { db, cipher } = options;
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  const refreshTimeoutMs = options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Promise<string>>();

  function expiresSoon(stored: StoredTokens): boolean {
    return stored.expiresAt !== null && stored.expiresAt.getTime() - now() <= refreshBeforeMs;
  }

  async function read(conn: Db, userId: string, lock: boolean): Promise<StoredTokens | null> {
    let query = conn
      .selectFrom("users")
      .select(["t3kAccessToken", "t3kRefreshToken", "t3kTokenExpiresAt"])
      .where("id", "=", userId);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw new Tone3000SignInRequiredError("no_user");
    if (!row.t3kAccessToken) return null;
    try {
      return {
        accessToken: cipher.decrypt(row.t3kAccessToken, userId),
        refreshToken: row.t3kRefreshToken ? cipher.decrypt(row.t3kRefreshToken, userId) : null,
        expiresAt: row.t3kTokenExpiresAt,
      };
    } catch (error) {
      if (error instanceof TokenCipherError) throw new Tone3000SignInRequiredError("unreadable", error);
      throw error;
    }
  }

  async function save(userId: string, tokens: Tone3000TokenSet, conn: Db = db): Promise<void> {
    await conn
      .updateTable("users")
      .set({
        t3kAccessToken: cipher.encrypt(tokens.accessToken, userId),
        t3kRefreshToken: cipher.encrypt(tokens.refreshToken, userId),
        t3kTokenExpiresAt: tokens.accessTokenExpiresAt,
      })
      .where("id", "=", userId)
      .execute();
  }

  function refreshWithTimeout(refreshToken: string): Promise<Tone3000Tokens> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Tone 3000 token refresh took longer than ${refreshTimeoutMs} ms`)),
        refreshTimeoutMs,
      );
    });
    return Promise.race([options.refresh(refreshToken), timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * `seen`: the refresh token stored beside the access token the caller last used (undefined:
   * unknown). If the stored one differs, someone rotated since: their access token is ours too.
   */
  async function rotate(userId: string, seen: string | null | undefined): Promise<string> {
    const outcome = await db.transaction().execute(async (trx): Promise<RotateOutcome> => {
      const stored = await read(trx, userId, true);
      if (!stored?.refreshToken) throw new Tone3000SignInRequiredError("no_tokens");
      if (seen !== undefined && stored.refreshToken !== seen && !expiresSoon(stored)) {
        return { kind: "ok", accessToken: stored.accessToken };
      }
      let tokens: Tone3000Tokens;
      try {
        tokens = await refreshWithTimeout(stored.refreshToken);
      } catch (error) {
        if (isGrantRefusal(error)) {
          // Spent, expired or revoked (either refusal style): keep nobody retrying it; the user
          // must sign in again.
          await trx
            .updateTable("users")
            .set({ t3kAccessToken: null, t3kRefreshToken: null, t3kTokenExpiresAt: null })
            .where("id", "=", userId)
            .execute();
          return { kind: "dead", cause: error };
        }
        throw error;
      }
      await save(userId, tokens, trx);
      return { kind: "ok", accessToken: tokens.accessToken };
    });
    if (outcome.kind === "dead") throw new Tone3000SignInRequiredError("revoked", outcome.cause);
    return outcome.accessToken;
  }

  function singleFlight(userId: string, seen: string | null | undefined): Promise<string> {
    const running = inFlight.get(userId);
    if (running) return running;
    const started = rotate(userId, seen).finally(() => inFlight.delete(userId));
    inFlight.set(userId, started);
    return started;
  }

  return {
    save,
    tokenSource(userId) {
      let seen: string | null | undefined;
      return {
        async getAccessToken() {
          // A refresh under way for this user: its result is the token to use.
          const running = inFlight.get(userId);
          if (running) return running;
          const stored = await read(db, userId, false);
          if (!stored) throw new Tone3000SignInRequiredError("no_tokens");
          seen = stored.refreshToken;
          if (!expiresSoon(stored)) return stored.accessToken;
          if (!stored.refreshToken) throw new Tone3000SignInRequiredError("revoked");
          return singleFlight(userId, seen);
        },
        refresh() {
          return singleFlight(userId, seen);
        },
      };
    },
  };
}
