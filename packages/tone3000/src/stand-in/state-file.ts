import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { z } from "zod";

// What the stand-in's authorization server keeps across restarts: the grants it issued (families),
// their access and refresh tokens, by hash. Authorization codes are not kept: they live a minute.

const Family = z.strictObject({
  userId: z.string().min(1),
  clientId: z.string().min(1),
  revoked: z.boolean(),
});

const AccessTokenRecord = z.strictObject({
  familyId: z.string().min(1),
  userId: z.string().min(1),
  /** Epoch milliseconds. */
  expiresAt: z.number(),
});

const RefreshTokenRecord = z.strictObject({
  familyId: z.string().min(1),
  /** Rotated away: presenting it again revokes the family. */
  used: z.boolean(),
});

export const OAuthState = z.strictObject({
  version: z.literal(1),
  families: z.record(z.string(), Family),
  /** Keyed by the token's SHA-256 (base64url): the file holds no usable bearer token. */
  accessTokens: z.record(z.string(), AccessTokenRecord),
  refreshTokens: z.record(z.string(), RefreshTokenRecord),
});
export type OAuthState = z.infer<typeof OAuthState>;

export class StandInStateError extends Error {
  constructor(file: string, why: string, options?: { cause?: unknown }) {
    super(
      `Tone 3000 stand-in state ${file}: ${why}; fix or delete it (every issued grant is then lost)`,
      options,
    );
    this.name = "StandInStateError";
  }
}

/** The saved state, or null when the file does not exist yet. */
export function readStateFile(file: string): OAuthState | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StandInStateError(file, "not JSON", { cause: error });
  }
  const parsed = OAuthState.safeParse(raw);
  if (!parsed.success) throw new StandInStateError(file, z.prettifyError(parsed.error));
  return parsed.data;
}

let sequence = 0;

/**
 * Replaces the file in one step: written and synced beside it, then renamed over it, so a crash
 * leaves the old state or the new one, never half of either. Owner-only: it describes live grants.
 */
export function writeStateFile(file: string, state: OAuthState): void {
  const tmp = `${file}.${process.pid}.${++sequence}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
