import type { DB, Users } from "@shootout/db";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";

/** What of a user may leave the server: never their (encrypted) Tone 3000 tokens. */
export type PublicUser = Pick<
  Selectable<Users>,
  "id" | "tone3000Id" | "username" | "avatarUrl" | "createdAt"
>;

export const publicUserColumns = ["id", "tone3000Id", "username", "avatarUrl", "createdAt"] as const;

export interface Tone3000Profile {
  tone3000Id: string;
  username: string;
  avatarUrl?: string | null;
  /**
   * The user's Tone 3000 tokens, already encrypted by the caller (TokenCipher): this function
   * stores what it is given. Omit to leave the stored tokens as they are.
   */
  tokens?: {
    accessToken: string;
    refreshToken: string | null;
    expiresAt: Date | null;
  };
}

/** Creates the user on first login, refreshes their profile (and tokens) on every later one. */
export async function upsertUserByTone3000Id(
  db: Kysely<DB> | Transaction<DB>,
  profile: Tone3000Profile,
): Promise<PublicUser> {
  const tokenColumns = profile.tokens
    ? {
        t3kAccessToken: profile.tokens.accessToken,
        t3kRefreshToken: profile.tokens.refreshToken,
        t3kTokenExpiresAt: profile.tokens.expiresAt,
      }
    : {};
  return db
    .insertInto("users")
    .values({
      tone3000Id: profile.tone3000Id,
      username: profile.username,
      avatarUrl: profile.avatarUrl ?? null,
      ...tokenColumns,
    })
    .onConflict((oc) =>
      oc.column("tone3000Id").doUpdateSet({
        username: profile.username,
        avatarUrl: profile.avatarUrl ?? null,
        ...tokenColumns,
        updatedAt: sql`now()`,
      }),
    )
    .returning(publicUserColumns)
    .executeTakeFirstOrThrow();
}

export async function getPublicUser(
  db: Kysely<DB> | Transaction<DB>,
  userId: string,
): Promise<PublicUser | undefined> {
  return db.selectFrom("users").select(publicUserColumns).where("id", "=", userId).executeTakeFirst();
}
