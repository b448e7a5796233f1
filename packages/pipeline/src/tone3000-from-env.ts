import { ConfigError, type Env } from "@shootout/config";
import type { DB } from "@shootout/db";
import { createTone3000TokenStore, type Tone3000TokenStore } from "@shootout/router";
import { createTokenCipher, createTone3000Client, createTone3000OAuth } from "@shootout/tone3000";
import type { Kysely } from "kysely";
import type { Tone3000ClientsFor } from "./shootout-pipeline.ts";

/**
 * Tone 3000 clients for a standalone worker: the owner's tokens from the database (decrypted with
 * TOKEN_ENCRYPTION_KEY, refreshed through TONE3000_BASE_URL's token endpoint when they expire),
 * the same token store the API uses. The redirect URI is never used by a refresh.
 */
export function tone3000ClientsFromEnv(env: Env): Tone3000ClientsFor {
  const problems: string[] = [];
  if (!env.TONE3000_BASE_URL) problems.push("TONE3000_BASE_URL: a worker downloads models from Tone 3000");
  if (!env.TONE3000_CLIENT_ID) problems.push("TONE3000_CLIENT_ID: needed to refresh users' Tone 3000 tokens");
  if (!env.TOKEN_ENCRYPTION_KEY) {
    problems.push("TOKEN_ENCRYPTION_KEY: the key the API encrypts Tone 3000 tokens with");
  }
  // A worker without them still starts (its jobs may need no download: cached models); a job
  // that must download fails naming the tone and these settings.
  if (problems.length > 0) {
    return () => {
      throw new ConfigError(problems);
    };
  }
  const baseUrl = env.TONE3000_BASE_URL!;
  const oauth = createTone3000OAuth({
    baseUrl,
    clientId: env.TONE3000_CLIENT_ID!,
    redirectUri: `${env.PUBLIC_URL ?? "http://localhost"}/auth/callback`,
  });
  const cipher = createTokenCipher(env.TOKEN_ENCRYPTION_KEY!);
  const stores = new WeakMap<Kysely<DB>, Tone3000TokenStore>();
  return (userId, db) => {
    let store = stores.get(db);
    if (!store) {
      store = createTone3000TokenStore({ db, cipher, refresh: (rt) => oauth.refreshAccessToken(rt) });
      stores.set(db, store);
    }
    return createTone3000Client({ baseUrl, tokens: store.tokenSource(userId) });
  };
}
