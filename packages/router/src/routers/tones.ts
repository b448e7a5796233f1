import type { Model, Page, Tone } from "@shootout/tone3000";
import { TRPCError } from "@trpc/server";
import {
  type ToneModelOutput,
  type ToneOutput,
  toneGetInput,
  toneLibraryInput,
  toneModelOutput,
  toneModelsInput,
  toneOutput,
  tonePageOutput,
  toneSearchInput,
} from "../schemas/tones.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { tone3000ToTRPCError } from "./tone3000-errors.ts";

function toTone(tone: Tone): ToneOutput {
  return {
    id: tone.id,
    title: tone.title,
    description: tone.description,
    gear: tone.gear,
    format: tone.format,
    license: tone.license,
    sizes: tone.sizes,
    makes: tone.makes.map((m) => m.name),
    tags: tone.tags.map((t) => t.name),
    images: tone.images ?? [],
    isPublic: tone.is_public,
    modelsCount: tone.models_count,
    downloadsCount: tone.downloads_count,
    favoritesCount: tone.favorites_count,
    url: tone.url,
    createdAt: tone.created_at ?? null,
    creator: { id: tone.user.id, username: tone.user.username, avatarUrl: tone.user.avatar_url },
  };
}

function toModel(model: Model): ToneModelOutput {
  return {
    id: model.id,
    toneId: model.tone_id,
    name: model.name,
    size: model.size,
    architecture: model.architecture_version ?? null,
  };
}

function toPage<T, U>(page: Page<T>, map: (item: T) => U) {
  return {
    items: page.data.map(map),
    page: page.page,
    pageSize: page.page_size,
    total: page.total,
    totalPages: page.total_pages,
  };
}

/**
 * Signed-in callers with a Tone 3000 client acting for them (their stored tokens); upstream
 * failures become tRPC errors with codes a client can switch on.
 */
const tone3000Procedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (!ctx.tone3000) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "Tone 3000 is not configured on this server",
    });
  }
  const t3k = await ctx.tone3000(ctx.auth.user.id);
  const result = await next({ ctx: { ...ctx, t3k } });
  if (!result.ok) {
    const mapped = tone3000ToTRPCError(result.error.cause);
    if (mapped) {
      if (mapped.code === "BAD_GATEWAY" || mapped.code === "INTERNAL_SERVER_ERROR") {
        ctx.log.warn({ err: result.error.cause }, "tone 3000 call failed");
      }
      throw mapped;
    }
  }
  return result;
});

const tonePage = tonePageOutput(toneOutput);

export const tonesRouter = router({
  search: tone3000Procedure
    .input(toneSearchInput)
    .output(tonePage)
    .query(async ({ ctx, input, signal }) => toPage(await ctx.t3k.searchTones(input, { signal }), toTone)),

  /** Tones the user created on Tone 3000. */
  mine: tone3000Procedure
    .input(toneLibraryInput)
    .output(tonePage)
    .query(async ({ ctx, input, signal }) => toPage(await ctx.t3k.createdTones(input, { signal }), toTone)),

  favorites: tone3000Procedure
    .input(toneLibraryInput)
    .output(tonePage)
    .query(async ({ ctx, input, signal }) => toPage(await ctx.t3k.favoritedTones(input, { signal }), toTone)),

  get: tone3000Procedure
    .input(toneGetInput)
    .output(toneOutput)
    .query(async ({ ctx, input, signal }) => toTone(await ctx.t3k.getTone(input.id, { signal }))),

  /** The downloadable models of a tone (A1 + custom NAM by default, and IRs). */
  models: tone3000Procedure
    .input(toneModelsInput)
    .output(tonePageOutput(toneModelOutput))
    .query(async ({ ctx, input, signal }) => toPage(await ctx.t3k.listModels(input, { signal }), toModel)),
});
