import type { DB } from "@shootout/db";
import type { User } from "@shootout/tone3000";
import type { Kysely, Transaction } from "kysely";
import type { Tone3000TokenSet, Tone3000TokenStore } from "./tone3000-tokens.ts";
import { type PublicUser, upsertUserByTone3000Id } from "./users.ts";

/** Who Tone 3000 says signed in (`GET /user` with the access token just issued). */
export type Tone3000LoginProfile = Pick<User, "id" | "username" | "avatar_url">;

/**
 * The end of a Tone 3000 sign-in, wherever it ran (the API's /auth/callback, `shootout login`):
 * our user, found or created by Tone 3000 id with the profile refreshed, and the grant stored
 * encrypted for them. Atomic: in the caller's transaction when given one, else in its own.
 */
export async function completeTone3000Login(
  db: Kysely<DB> | Transaction<DB>,
  store: Pick<Tone3000TokenStore, "save">,
  tokens: Tone3000TokenSet,
  profile: Tone3000LoginProfile,
): Promise<PublicUser> {
  const run = async (trx: Transaction<DB>) => {
    const user = await upsertUserByTone3000Id(trx, {
      tone3000Id: profile.id,
      username: profile.username,
      avatarUrl: profile.avatar_url,
    });
    await store.save(user.id, tokens, trx);
    return user;
  };
  return db.isTransaction ? run(db as Transaction<DB>) : db.transaction().execute(run);
}
