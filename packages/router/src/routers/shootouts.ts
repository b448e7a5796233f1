import type { Context } from "../context.ts";
import { latestShootoutResult } from "../domain/shootout-results.ts";
import {
  createShootout,
  deleteShootout,
  getVisibleShootout,
  listOwnedShootouts,
  listPublicShootouts,
  revealShootout,
  updateShootout,
} from "../domain/shootouts.ts";
import type { ToneFileAccess } from "../domain/tone-files-check.ts";
import { okOutput } from "../schemas/auth.ts";
import {
  shootoutCreateInput,
  shootoutIdInput,
  shootoutOutput,
  shootoutResultOutput,
  shootoutRevealOutput,
  shootoutsListInput,
  shootoutsListOutput,
  shootoutUpdateInput,
} from "../schemas/shootouts.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.ts";
import { tone3000ToTRPCError } from "./tone3000-errors.ts";

/**
 * The caller's way to Tone 3000, for checking a shootout's files when it is saved; none on a
 * server without Tone 3000 (tones can then only come from files already cached).
 */
function toneFilesFor(ctx: Context, userId: string): ToneFileAccess | null {
  const factory = ctx.tone3000;
  if (!factory) return null;
  return { storage: ctx.storage, client: async () => factory(userId) };
}

/** Tone 3000 failures while checking the files, as the tones.* procedures answer them. */
const tone3000Errors = protectedProcedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = tone3000ToTRPCError(result.error.cause);
    if (mapped) {
      if (mapped.code === "BAD_GATEWAY" || mapped.code === "INTERNAL_SERVER_ERROR") {
        ctx.log.warn({ err: result.error.cause }, "tone 3000 call failed while saving a shootout");
      }
      throw mapped;
    }
  }
  return result;
});

export const shootoutsRouter = router({
  create: tone3000Errors
    .input(shootoutCreateInput)
    .output(shootoutOutput)
    .mutation(({ ctx, input }) =>
      createShootout(ctx.db, ctx.auth.user.id, input, ctx.capabilities, toneFilesFor(ctx, ctx.auth.user.id)),
    ),

  /** The caller's own shootout, or anyone's public one (signed in or not). */
  get: publicProcedure
    .input(shootoutIdInput)
    .output(shootoutOutput)
    .query(({ ctx, input }) => getVisibleShootout(ctx.db, ctx.auth?.user.id ?? null, input.shootoutId)),

  /**
   * The newest completed render's result, for the owner and, when the shootout is public, for
   * anyone: its output files download for them too (GET /files/:id).
   */
  latestResult: publicProcedure
    .input(shootoutIdInput)
    .output(shootoutResultOutput)
    .query(({ ctx, input }) => latestShootoutResult(ctx.db, ctx.auth?.user.id ?? null, input.shootoutId)),

  /** The caller's shootouts, newest first. */
  list: protectedProcedure
    .input(shootoutsListInput)
    .output(shootoutsListOutput)
    .query(({ ctx, input }) => listOwnedShootouts(ctx.db, ctx.auth.user.id, input)),

  /** Everyone's public shootouts, newest first. */
  listPublic: publicProcedure
    .input(shootoutsListInput)
    .output(shootoutsListOutput)
    .query(({ ctx, input }) => listPublicShootouts(ctx.db, ctx.auth?.user.id ?? null, input)),

  update: tone3000Errors
    .input(shootoutUpdateInput)
    .output(shootoutOutput)
    .mutation(({ ctx, input }) =>
      updateShootout(ctx.db, ctx.auth.user.id, input, ctx.capabilities, toneFilesFor(ctx, ctx.auth.user.id)),
    ),

  delete: protectedProcedure
    .input(shootoutIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await deleteShootout(ctx.db, ctx.auth.user.id, input.shootoutId);
      return { ok: true as const };
    }),

  /** The blind key, to its owner only. */
  reveal: protectedProcedure
    .input(shootoutIdInput)
    .output(shootoutRevealOutput)
    .mutation(({ ctx, input }) => revealShootout(ctx.db, ctx.auth.user.id, input.shootoutId)),
});
