import { namModelInfo, namModelInfoSchema, parseNamModel } from "@shootout/audio";
import type { Model, Page, Tone } from "@shootout/tone3000";
import { TRPCError } from "@trpc/server";
import { InvalidReferenceError } from "../domain/errors.ts";
import { architectureLabel, architectureSupport } from "../domain/renderable-architectures.ts";
import { fetchTone3000File, Tone3000FileInvalidError } from "../domain/tone3000-files.ts";
import {
  type ToneModelOutput,
  type ToneOutput,
  toneGetInput,
  toneLibraryInput,
  toneModelInfoInput,
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
    description: tone.description ?? null,
    gear: tone.gear ?? null,
    // Some answers still say `platform` for what others call `format`.
    format: tone.format ?? tone.platform ?? null,
    license: tone.license ?? null,
    sizes: tone.sizes ?? null,
    makes: (tone.makes ?? []).map((m) => m.name),
    tags: (tone.tags ?? []).map((t) => t.name),
    images: tone.images ?? [],
    isPublic: tone.is_public ?? null,
    modelsCount: tone.models_count ?? null,
    counts: {
      a1: tone.a1_models_count ?? null,
      a2: tone.a2_models_count ?? null,
      custom: tone.custom_models_count ?? null,
      irs: tone.irs_count ?? null,
    },
    downloadsCount: tone.downloads_count ?? null,
    favoritesCount: tone.favorites_count ?? null,
    url: tone.url ?? null,
    createdAt: tone.created_at ?? null,
    creator: { id: tone.user.id, username: tone.user.username, avatarUrl: tone.user.avatar_url ?? null },
  };
}

function fileExtension(url: string): string {
  try {
    const path = new URL(url, "https://x.invalid").pathname;
    const dot = path.lastIndexOf(".");
    return dot > path.lastIndexOf("/") ? path.slice(dot + 1).toLowerCase() : "";
  } catch {
    return "";
  }
}

function toModel(model: Model, toneId: number, toneFormat: string | null): ToneModelOutput {
  const architecture = model.architecture_version ?? null;
  const ext = fileExtension(model.model_url);
  // The file name says best; Tone 3000's own type gives every model an architecture.
  const kind =
    ext === "nam"
      ? "nam"
      : ext === "wav" || (architecture === null && toneFormat === "ir")
        ? "ir"
        : architecture !== null
          ? "nam"
          : "other";
  const size = model.size ?? null;
  const label =
    kind === "ir"
      ? "IR"
      : [architectureLabel(architecture), size && size !== "custom" ? size : null]
          .filter((part): part is string => part !== null)
          .join(" · ") || "NAM";
  const support = kind === "nam" ? architectureSupport(architecture) : null;
  return {
    id: model.id,
    toneId: model.tone_id ?? toneId,
    name: model.name ?? `Model ${model.id}`,
    size,
    architecture,
    kind,
    label,
    renderable: support?.renderable ?? false,
    unsupportedReason:
      support === null
        ? kind === "ir"
          ? "an IR is a cabinet, not an amp capture"
          : "not a NAM model"
        : support.renderable
          ? null
          : support.reason,
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

  /**
   * A tone's downloadable models, each labelled and marked renderable or not (what this build
   * cannot render is listed as such, not left out). Without `architecture`: every architecture
   * the tone's counts name, merged (Tone 3000 lists one per request), paged here.
   */
  models: tone3000Procedure
    .input(toneModelsInput)
    .output(tonePageOutput(toneModelOutput))
    .query(async ({ ctx, input, signal }) => {
      if (input.architecture) {
        // One listing, as Tone 3000 answers it: the file names tell IRs apart.
        const page = await ctx.t3k.listModels(input, { signal });
        return toPage(page, (m) => toModel(m, input.toneId, null));
      }
      // The tone's counts say which listings to ask for.
      const tone = await ctx.t3k.getTone(input.toneId, { signal });
      const format = tone.format ?? tone.platform ?? null;
      const map = (m: Model) => toModel(m, tone.id, format);
      const all = await ctx.t3k.listAllModels(tone, { signal });
      const start = (input.page - 1) * input.pageSize;
      return {
        items: all.slice(start, start + input.pageSize).map(map),
        page: input.page,
        pageSize: input.pageSize,
        total: all.length,
        totalPages: Math.ceil(all.length / input.pageSize),
      };
    }),

  /**
   * What a NAM model is, for a tone card: architecture, family (A1/A2), sizes, receptive field,
   * sample rate. The file is downloaded (and cached for the render, checked like at save time).
   */
  modelInfo: tone3000Procedure
    .input(toneModelInfoInput)
    .output(namModelInfoSchema)
    .query(async ({ ctx, input, signal }) => {
      const t3k = ctx.t3k;
      try {
        const file = await fetchTone3000File(
          ctx.db,
          ctx.storage,
          async () => t3k,
          String(input.modelId),
          "nam",
          signal,
        );
        return namModelInfo(parseNamModel(new TextDecoder().decode(file.bytes)));
      } catch (error) {
        if (error instanceof Tone3000FileInvalidError)
          throw new InvalidReferenceError(["modelId"], error.message);
        throw error;
      }
    }),
});
