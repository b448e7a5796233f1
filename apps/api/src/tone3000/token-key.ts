import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, type Env } from "@shootout/config";
import { createTokenCipher, generateTokenCipherKey, type TokenCipher } from "@shootout/tone3000";

export const TOKEN_KEY_FILE = "token-key";

export interface ResolvedTokenKey {
  readonly cipher: TokenCipher;
  /** Where it came from: the environment, or the file embedded mode keeps beside its database. */
  readonly source: "env" | { readonly file: string; readonly created: boolean };
}

/**
 * The key that encrypts users' Tone 3000 tokens. TOKEN_ENCRYPTION_KEY wins. Embedded mode without
 * it generates one and keeps it next to the PGlite directory (a new key per start would make every
 * stored token unreadable). With DATABASE_URL the key must be configured: several processes share
 * the database and must share the key, and a key generated on one machine helps nobody.
 */
export function resolveTokenKey(env: Env): ResolvedTokenKey {
  if (env.TOKEN_ENCRYPTION_KEY) return { cipher: createTokenCipher(env.TOKEN_ENCRYPTION_KEY), source: "env" };
  if (env.DATABASE_URL) {
    throw new ConfigError([
      "TOKEN_ENCRYPTION_KEY: required with DATABASE_URL (32 random bytes, base64: `openssl rand -base64 32`); every API and worker process needs the same one",
    ]);
  }
  const dir = path.dirname(path.resolve(env.PGLITE_DATA_DIR));
  const file = path.join(dir, TOKEN_KEY_FILE);
  mkdirSync(dir, { recursive: true });
  let created = false;
  try {
    // `wx`: never overwrite a key another start wrote first.
    writeFileSync(file, `${generateTokenCipherKey()}\n`, { flag: "wx", mode: 0o600 });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = readFileSync(file, "utf8").trim();
  try {
    return { cipher: createTokenCipher(key), source: { file, created } };
  } catch (error) {
    throw new ConfigError([
      `${file}: not a usable token key (${(error as Error).message}); fix or delete it`,
    ]);
  }
}
