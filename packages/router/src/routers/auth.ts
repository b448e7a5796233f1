import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hasTone3000Access } from "../domain/model-access.ts";
import { invalidateSession, listUserSessions, revokeUserSession } from "../domain/sessions.ts";
import { meOutput, okOutput, sessionRevokeInput, sessionsListOutput } from "../schemas/auth.ts";
import { toIso } from "../schemas/common.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.ts";

export const authRouter = router({
  /** The signed-in user and their session, or null when signed out. */
  me: publicProcedure
    .input(z.void())
    .output(meOutput.nullable())
    .query(async ({ ctx }) => {
      if (!ctx.auth) return null;
      const { user, session } = ctx.auth;
      return {
        user: { ...user, createdAt: toIso(user.createdAt) },
        session: { id: session.id, expiresAt: toIso(session.expiresAt) },
        tone3000Access: await hasTone3000Access(ctx.db, user.id),
      };
    }),

  /** Ends the session this call was made with (the API also clears the cookie). */
  logout: protectedProcedure
    .input(z.void())
    .output(okOutput)
    .mutation(async ({ ctx }) => {
      await invalidateSession(ctx.db, ctx.auth.session.id);
      return { ok: true as const };
    }),

  sessions: router({
    list: protectedProcedure
      .input(z.void())
      .output(sessionsListOutput)
      .query(async ({ ctx }) => {
        const sessions = await listUserSessions(ctx.db, ctx.auth.user.id);
        return sessions.map((s) => ({
          id: s.id,
          userAgent: s.userAgent,
          ip: s.ip,
          createdAt: toIso(s.createdAt),
          lastVerifiedAt: toIso(s.lastVerifiedAt),
          expiresAt: toIso(s.expiresAt),
          current: s.id === ctx.auth.session.id,
        }));
      }),

    /** Signs one of the caller's own sessions out (another user's is NOT_FOUND). */
    revoke: protectedProcedure
      .input(sessionRevokeInput)
      .output(okOutput)
      .mutation(async ({ ctx, input }) => {
        if (!(await revokeUserSession(ctx.db, ctx.auth.user.id, input.sessionId))) {
          throw new TRPCError({ code: "NOT_FOUND", message: "session not found" });
        }
        return { ok: true as const };
      }),
  }),
});
