import { describe, expect, it } from "vitest";
import { createTokenCipher, generateTokenCipherKey, TokenCipherError } from "../src/index.ts";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("token cipher (AES-256-GCM)", () => {
  const cipher = createTokenCipher(generateTokenCipherKey());

  it("round-trips, with a fresh IV each time and a versioned format", () => {
    const secret = "t3k_rt_some-refresh-token ✓";
    const a = cipher.encrypt(secret);
    const b = cipher.encrypt(secret);
    expect(a).not.toBe(b);
    expect(a.startsWith("v1.")).toBe(true);
    expect(a).not.toContain("some-refresh-token");
    expect(cipher.decrypt(a)).toBe(secret);
    expect(cipher.decrypt(b)).toBe(secret);
  });

  it("detects tampering with the ciphertext or the IV", () => {
    const encrypted = cipher.encrypt("access-token");
    const [version, iv, body] = encrypted.split(".") as [string, string, string];
    const flip = (text: string) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString("base64url");
    };
    for (const tampered of [`${version}.${iv}.${flip(body)}`, `${version}.${flip(iv)}.${body}`]) {
      const error = thrown(() => cipher.decrypt(tampered));
      expect(error).toBeInstanceOf(TokenCipherError);
      expect(error).toMatchObject({ reason: "authentication_failed" });
    }
    expect(thrown(() => cipher.decrypt(`v2.${iv}.${body}`))).toMatchObject({ reason: "unsupported_version" });
    expect(thrown(() => cipher.decrypt("garbage"))).toMatchObject({ reason: "malformed" });
  });

  it("fails clearly with the wrong key", () => {
    const encrypted = cipher.encrypt("access-token");
    const other = createTokenCipher(generateTokenCipherKey());
    expect(thrown(() => other.decrypt(encrypted))).toMatchObject({ reason: "authentication_failed" });
  });

  it("binds a ciphertext to its associated data", () => {
    const encrypted = cipher.encrypt("token", "user-1");
    expect(cipher.decrypt(encrypted, "user-1")).toBe("token");
    expect(thrown(() => cipher.decrypt(encrypted, "user-2"))).toMatchObject({
      reason: "authentication_failed",
    });
  });

  it("refuses keys that are not 32 bytes of base64", () => {
    expect(thrown(() => createTokenCipher(Buffer.alloc(16).toString("base64")))).toMatchObject({
      reason: "bad_key",
    });
    expect(thrown(() => createTokenCipher("not base64 at all!"))).toMatchObject({ reason: "bad_key" });
  });
});
