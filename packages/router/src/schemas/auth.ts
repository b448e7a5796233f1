import { z } from "zod";
import { isoDateTime, storedText } from "./common.ts";

export const userOutput = z.object({
  id: z.uuid(),
  tone3000Id: z.string(),
  username: z.string(),
  avatarUrl: z.string().nullable(),
  createdAt: isoDateTime,
});
export type UserOutput = z.infer<typeof userOutput>;

export const meOutput = z.object({
  user: userOutput,
  session: z.object({ id: z.string(), expiresAt: isoDateTime }),
  /**
   * Whether Tone 3000 access is stored for this user: renders download models with it. False once
   * Tone 3000 revoked it (sign in with Tone 3000 again).
   */
  tone3000Access: z.boolean(),
});

export const sessionOutput = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: isoDateTime,
  lastVerifiedAt: isoDateTime,
  expiresAt: isoDateTime,
  /** The session this call was made with. */
  current: z.boolean(),
});

export const sessionsListOutput = z.array(sessionOutput);
export const sessionRevokeInput = z.object({ sessionId: storedText({ min: 1, max: 100 }) });
export const okOutput = z.object({ ok: z.literal(true) });
