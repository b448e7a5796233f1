import type { DB } from "@shootout/db";
import { getPublicUser, type PublicUser } from "@shootout/router";
import type { Kysely } from "kysely";
import { z } from "zod";
import { CliFailure } from "../cli-errors.ts";

const uuid = z.uuid();

/** `--user`: a user id (uuid) or a username, exactly as `shootout users` lists them; null if none. */
export async function findUser(db: Kysely<DB>, idOrUsername: string): Promise<PublicUser | null> {
  if (uuid.safeParse(idOrUsername).success) {
    const user = await getPublicUser(db, idOrUsername);
    if (user) return user;
  }
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("username", "=", idOrUsername)
    .orderBy("createdAt")
    .limit(2)
    .execute();
  if (rows.length > 1) {
    throw new CliFailure(
      `several users are called "${idOrUsername}": pass the user's id (see \`shootout users\`)`,
    );
  }
  return (rows[0] && (await getPublicUser(db, rows[0].id))) ?? null;
}

/** `--user`, which must exist. */
export async function resolveUser(db: Kysely<DB>, idOrUsername: string): Promise<PublicUser> {
  const user = await findUser(db, idOrUsername);
  if (!user) {
    throw new CliFailure(
      `no user "${idOrUsername}": \`shootout users\` lists them, \`shootout users add <username>\` creates one`,
    );
  }
  return user;
}
