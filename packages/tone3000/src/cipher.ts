import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Format: "v1.<iv>.<ciphertext‖tag>", both base64url. The version prefix lets us change the
// algorithm or rotate keys later without guessing what an old row holds.
const VERSION = "v1";
const IV_BYTES = 12; // 96-bit nonce, the GCM standard size
const TAG_BYTES = 16;

export type TokenCipherErrorReason =
  | "bad_key"
  | "malformed"
  | "unsupported_version"
  | "authentication_failed";

export class TokenCipherError extends Error {
  override readonly name = "TokenCipherError";
  readonly reason: TokenCipherErrorReason;
  constructor(reason: TokenCipherErrorReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

export interface TokenCipher {
  /** `associatedData` (e.g. the user id) binds a ciphertext to its row: decrypting elsewhere fails. */
  encrypt(plaintext: string, associatedData?: string): string;
  decrypt(ciphertext: string, associatedData?: string): string;
}

/** A fresh random key, base64: put it in the environment (e.g. TONE3000_TOKEN_KEY). */
export function generateTokenCipherKey(): string {
  return randomBytes(32).toString("base64");
}

/** AES-256-GCM over UTF-8 strings. `keyBase64` must decode (base64 or base64url) to 32 bytes. */
export function createTokenCipher(keyBase64: string): TokenCipher {
  const trimmed = keyBase64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new TokenCipherError("bad_key", "Token cipher key is not base64");
  }
  const key = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key.length !== 32) {
    throw new TokenCipherError("bad_key", `Token cipher key must be 32 bytes (AES-256), got ${key.length}`);
  }

  return {
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    decrypt(ciphertext, associatedData) {
      const parts = ciphertext.split(".");
      if (parts.length !== 3)
        throw new TokenCipherError("malformed", "Encrypted token is not in the v1.<iv>.<data> format");
      const [version, ivText, bodyText] = parts as [string, string, string];
      if (version !== VERSION)
        throw new TokenCipherError("unsupported_version", `Unsupported encrypted token version "${version}"`);
      const iv = Buffer.from(ivText, "base64url");
      const body = Buffer.from(bodyText, "base64url");
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
        throw new TokenCipherError("malformed", "Encrypted token has a bad IV or is truncated");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, "utf8"));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return plain.toString("utf8");
      } catch (error) {
        throw new TokenCipherError(
          "authentication_failed",
          "Encrypted token failed authentication: wrong key, or the data was tampered with",
          error,
        );
      }
    },
  };
}
