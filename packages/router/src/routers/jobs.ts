import { cancelJob, createJob, deleteJob, retryJob } from "@shootout/jobs";
import { getOwnedJob, listOwnedJobs, toJobOutput } from "../domain/jobs.ts";
import { assertModelsReachable } from "../domain/model-access.ts";
import { assertNoVideoWanted } from "../domain/video-capability.ts";
import { okOutput } from "../schemas/auth.ts";
import { jobIdInput, jobOutput, jobsCreateInput, jobsListInput, jobsListOutput } from "../schemas/jobs.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { jobsLiveProcedures } from "./jobs-live.ts";

export const jobsRouter = router({
  // Live subscriptions: onProgress (one job, resumable) and onMine (status changes of all mine).
  ...jobsLiveProcedures,
  /**
   * Renders the caller's shootout: the job row and its queue message commit together. While a
   * job of the shootout is unfinished, returns that job instead of starting another.
   */
  create: protectedProcedure
    .input(jobsCreateInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.capabilities.video) await assertNoVideoWanted(ctx.db, ctx.auth.user.id, input.shootoutId);
      await assertModelsReachable(ctx.db, ctx.auth.user.id, input.shootoutId);
      const { job } = await createJob(ctx.db, ctx.jobQueue, {
        shootoutId: input.shootoutId,
        ownerId: ctx.auth.user.id,
      });
      return toJobOutput(job);
    }),

  get: protectedProcedure
    .input(jobIdInput)
    .output(jobOutput)
    .query(async ({ ctx, input }) => toJobOutput(await getOwnedJob(ctx.db, ctx.auth.user.id, input.jobId))),

  /** The caller's jobs, newest first, optionally of one shootout and/or in one status. */
  list: protectedProcedure
    .input(jobsListInput)
    .output(jobsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listOwnedJobs(ctx.db, ctx.auth.user.id, input);
      return { items: page.items.map(toJobOutput), nextCursor: page.nextCursor };
    }),

  cancel: protectedProcedure
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) =>
      toJobOutput(await cancelJob(ctx.db, ctx.jobQueue, { jobId: input.jobId, ownerId: ctx.auth.user.id })),
    ),

  retry: protectedProcedure
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) => {
      // The shootout may have changed (gained mp4, new models) since the job was created, and the
      // server may have lost ffmpeg or the owner their Tone 3000 access.
      const job = await getOwnedJob(ctx.db, ctx.auth.user.id, input.jobId);
      if (!ctx.capabilities.video) await assertNoVideoWanted(ctx.db, ctx.auth.user.id, job.shootoutId);
      await assertModelsReachable(ctx.db, ctx.auth.user.id, job.shootoutId);
      return toJobOutput(
        await retryJob(ctx.db, ctx.jobQueue, { jobId: input.jobId, ownerId: ctx.auth.user.id }),
      );
    }),

  /** Finished jobs only (CONFLICT otherwise); its output files go with it. */
  delete: protectedProcedure
    .input(jobIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await deleteJob(ctx.db, { jobId: input.jobId, ownerId: ctx.auth.user.id });
      return { ok: true as const };
    }),
});
