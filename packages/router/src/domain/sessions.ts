import { hash } from "node:crypto";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type { DB, Sessions } from "@shootout/db";
import type { Kysely, Selectable, Transaction } from "kysely";
import { preparedQuery } from "./prepared-query.ts";
import type { PublicUser } from "./users.ts";

/** 30 days; SESSION_TTL_DAYS overrides it. */
export const DEFAULT_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

// 160 bits of id (a lookup key, not a secret) and 256 bits of secret: both well past the 128 needed.
const ID_BYTES = 20;
const SECRET_BYTES = 32;
const ID_PATTERN = /^[a-z2-7]{32}$/;
const SECRET_PATTERN = /^[a-z2-7]{52}$/;

/** A session as the application sees it: never its secret hash. */
export type Session = Omit<Selectable<Sessions>, "secretHash">;

export interface SessionValidationResult {
  session: Session;
  user: PublicUser;
  /** This validation slid the expiry: a transport holding the token in a cookie re-sends it. */
  extended: boolean;
}

type Db = Kysely<DB> | Transaction<DB>;

function randomBase32(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

// node:crypto's one-shot hash (native, no Hash object), not a JS SHA-256: this runs on every
// call of every signed-in client.
function hashSecret(secret: string): Uint8Array {
  return hash("sha256", secret, "buffer");
}

/** Splits `<id>.<secret>`; null for anything else, so malformed tokens never reach the database. */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  const dot = token.indexOf(".");
  if (dot < 0) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!ID_PATTERN.test(id) || !SECRET_PATTERN.test(secret)) return null;
  return { id, secret };
}

const sessionColumns = [
  "id",
  "userId",
  "userAgent",
  "ip",
  "createdAt",
  "lastVerifiedAt",
  "expiresAt",
] as const;

/**
 * Starts a session for `userId`. The token (`<id>.<secret>`) is returned once and never stored:
 * the database keeps only SHA-256 of the secret, so a leaked sessions table grants nothing.
 */
export async function createSession(
  db: Db,
  userId: string,
  opts: { ttlMs?: number; userAgent?: string | null; ip?: string | null; now?: Date } = {},
): Promise<{ token: string; session: Session }> {
  const id = randomBase32(ID_BYTES);
  const secret = randomBase32(SECRET_BYTES);
  const now = opts.now ?? new Date();
  const session = await db
    .insertInto("sessions")
    .values({
      id,
      userId,
      secretHash: hashSecret(secret),
      userAgent: opts.userAgent?.slice(0, 512) ?? null,
      ip: opts.ip ?? null,
      createdAt: now,
      lastVerifiedAt: now,
      expiresAt: new Date(now.getTime() + (opts.ttlMs ?? DEFAULT_SESSION_TTL_MS)),
    })
    .returning(sessionColumns)
    .executeTakeFirstOrThrow();
  return { token: `${id}.${secret}`, session };
}

/** The session by id, with its user: run on every call, so prepared once. */
const sessionWithUser = preparedQuery((db, p: { id: string }) =>
  db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.userId")
    .select([
      "sessions.id",
      "sessions.userId",
      "sessions.secretHash",
      "sessions.userAgent",
      "sessions.ip",
      "sessions.createdAt",
      "sessions.lastVerifiedAt",
      "sessions.expiresAt",
      // Aliased: users.id / users.created_at would otherwise overwrite the session's own columns.
      "users.tone3000Id as userTone3000Id",
      "users.username as userUsername",
      "users.avatarUrl as userAvatarUrl",
      "users.createdAt as userCreatedAt",
    ])
    .where("sessions.id", "=", p.id),
);

/**
 * The session and user a token stands for, or null. An expired session is deleted on sight.
 * Sliding expiry: once less than half the lifetime remains, the session is extended to a full
 * lifetime again (and last_verified_at moves) — one write per half-lifetime, not per call.
 */
export async function validateSessionToken(
  db: Db,
  token: string,
  opts: { ttlMs?: number; now?: Date } = {},
): Promise<SessionValidationResult | null> {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const ttlMs = opts.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = opts.now ?? new Date();

  const [row] = await sessionWithUser(db, { id: parsed.id });
  if (!row) return null;
  if (!constantTimeEqual(new Uint8Array(row.secretHash), hashSecret(parsed.secret))) return null;

  if (row.expiresAt.getTime() <= now.getTime()) {
    await db.deleteFrom("sessions").where("id", "=", row.id).execute();
    return null;
  }

  let extended = false;
  let session: Session = {
    id: row.id,
    userId: row.userId,
    userAgent: row.userAgent,
    ip: row.ip,
    createdAt: row.createdAt,
    lastVerifiedAt: row.lastVerifiedAt,
    expiresAt: row.expiresAt,
  };
  if (row.expiresAt.getTime() - now.getTime() < ttlMs / 2) {
    const moved = await db
      .updateTable("sessions")
      .set({ expiresAt: new Date(now.getTime() + ttlMs), lastVerifiedAt: now })
      .where("id", "=", row.id)
      .returning(sessionColumns)
      .executeTakeFirst();
    // Revoked between our read and this write: the revocation wins.
    if (!moved) return null;
    session = moved;
    extended = true;
  }
  return {
    session,
    extended,
    user: {
      id: row.userId,
      tone3000Id: row.userTone3000Id,
      username: row.userUsername,
      avatarUrl: row.userAvatarUrl,
      createdAt: row.userCreatedAt,
    },
  };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

/** Signs a user out everywhere (e.g. after their Tone 3000 grant is revoked). */
export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("userId", "=", userId).execute();
}

/** The user's live sessions, most recently created first. */
export async function listUserSessions(db: Db, userId: string, now: Date = new Date()): Promise<Session[]> {
  return db
    .selectFrom("sessions")
    .select(sessionColumns)
    .where("userId", "=", userId)
    .where("expiresAt", ">", now)
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** Ends one of the user's own sessions; false when they have no such session. */
export async function revokeUserSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("sessions")
    .where("id", "=", sessionId)
    .where("userId", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
