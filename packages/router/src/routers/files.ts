import { deleteOwnedFile, getOwnedFile, listOwnedFiles, toFileOutput } from "../domain/files.ts";
import { okOutput } from "../schemas/auth.ts";
import { fileIdInput, fileOutput, filesListInput, filesListOutput } from "../schemas/files.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const filesRouter = router({
  get: protectedProcedure
    .input(fileIdInput)
    .output(fileOutput)
    .query(async ({ ctx, input }) =>
      toFileOutput(await getOwnedFile(ctx.db, ctx.auth.user.id, input.fileId)),
    ),

  /** The caller's files, newest first. */
  list: protectedProcedure
    .input(filesListInput)
    .output(filesListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listOwnedFiles(ctx.db, ctx.auth.user.id, input);
      return { items: page.items.map(toFileOutput), nextCursor: page.nextCursor };
    }),

  /** CONFLICT while a shootout uses the file. */
  delete: protectedProcedure
    .input(fileIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await deleteOwnedFile(ctx.db, ctx.auth.user.id, input.fileId);
      return { ok: true as const };
    }),
});
