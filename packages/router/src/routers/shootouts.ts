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

export const shootoutsRouter = router({
  create: protectedProcedure
    .input(shootoutCreateInput)
    .output(shootoutOutput)
    .mutation(({ ctx, input }) => createShootout(ctx.db, ctx.auth.user.id, input, ctx.capabilities)),

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

  update: protectedProcedure
    .input(shootoutUpdateInput)
    .output(shootoutOutput)
    .mutation(({ ctx, input }) => updateShootout(ctx.db, ctx.auth.user.id, input, ctx.capabilities)),

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
