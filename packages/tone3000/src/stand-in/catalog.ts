import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Architecture, Format, Gear, License, Size } from "../schemas.ts";

// The stand-in's data: users, tones and models, loaded from catalog/catalog.json and checked here.

export const CatalogUser = z.strictObject({
  id: z.string().min(1),
  username: z.string().min(1),
  bio: z.string().nullable().default(null),
  avatar_url: z.string().nullable().default(null),
  links: z.array(z.string()).nullable().default(null),
  created_at: z.iso.datetime(),
});

export const CatalogModel = z.strictObject({
  id: z.number().int().positive(),
  name: z.string().min(1),
  /** null for IR files (the API sends `size: null` for them). */
  size: Size.nullable(),
  architecture_version: Architecture.nullable(),
  /** Relative to the catalog directory. */
  file: z.string().min(1),
});

export const CatalogTone = z.strictObject({
  id: z.number().int().positive(),
  user_id: z.string().min(1),
  title: z.string().min(1),
  description: z.string().nullable(),
  gear: Gear,
  format: Format,
  license: License,
  is_public: z.boolean().default(true),
  images: z.array(z.string()).nullable().default(null),
  links: z.array(z.string()).nullable().default(null),
  makes: z.array(z.string()),
  tags: z.array(z.string()),
  created_at: z.iso.datetime(),
  downloads_count: z.number().int().nonnegative(),
  favorites_count: z.number().int().nonnegative(),
  models: z.array(CatalogModel).min(1),
});

export const CatalogFile = z
  .strictObject({
    defaultUserId: z.string().min(1),
    users: z.array(CatalogUser).min(1),
    tones: z.array(CatalogTone),
    favorites: z.record(z.string(), z.array(z.number().int())),
  })
  .superRefine((catalog, ctx) => {
    const userIds = new Set(catalog.users.map((u) => u.id));
    const toneIds = new Set<number>();
    const modelIds = new Set<number>();
    if (!userIds.has(catalog.defaultUserId))
      ctx.addIssue({ code: "custom", path: ["defaultUserId"], message: "unknown user" });
    catalog.tones.forEach((tone, i) => {
      if (!userIds.has(tone.user_id))
        ctx.addIssue({ code: "custom", path: ["tones", i, "user_id"], message: "unknown user" });
      if (toneIds.has(tone.id))
        ctx.addIssue({ code: "custom", path: ["tones", i, "id"], message: "duplicate tone id" });
      toneIds.add(tone.id);
      tone.models.forEach((model, j) => {
        if (modelIds.has(model.id))
          ctx.addIssue({
            code: "custom",
            path: ["tones", i, "models", j, "id"],
            message: "duplicate model id",
          });
        modelIds.add(model.id);
      });
    });
    for (const [userId, favorites] of Object.entries(catalog.favorites)) {
      if (!userIds.has(userId))
        ctx.addIssue({ code: "custom", path: ["favorites", userId], message: "unknown user" });
      favorites.forEach((toneId, i) => {
        if (!toneIds.has(toneId))
          ctx.addIssue({ code: "custom", path: ["favorites", userId, i], message: "unknown tone" });
      });
    }
  });
export type CatalogFile = z.infer<typeof CatalogFile>;
export type CatalogUser = z.infer<typeof CatalogUser>;
export type CatalogTone = z.infer<typeof CatalogTone>;
export type CatalogModel = z.infer<typeof CatalogModel>;

export interface LoadedModel extends CatalogModel {
  tone_id: number;
  user_id: string;
  created_at: string;
  /** Absolute path of the bundled file. */
  path: string;
  bytes: number;
}

export interface Catalog {
  defaultUserId: string;
  users: Map<string, CatalogUser>;
  /** Mutable copies: downloads_count grows as files are downloaded. */
  tones: Map<number, CatalogTone>;
  models: Map<number, LoadedModel>;
  favorites: Map<string, number[]>;
  /** Stable ids for make and tag names (the API gives them ids). */
  termIds: Map<string, number>;
}

export const DEFAULT_CATALOG_DIR = fileURLToPath(new URL("../../catalog/", import.meta.url));

export function loadCatalog(dir: string = DEFAULT_CATALOG_DIR): Catalog {
  const base = dir.endsWith("/") ? dir : `${dir}/`;
  const raw: unknown = JSON.parse(readFileSync(`${base}catalog.json`, "utf8"));
  const parsed = CatalogFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid stand-in catalog ${base}catalog.json:\n${z.prettifyError(parsed.error)}`);
  }
  const file = parsed.data;
  const models = new Map<number, LoadedModel>();
  const termIds = new Map<string, number>();
  const termId = (name: string) => {
    const key = name.toLowerCase();
    if (!termIds.has(key)) termIds.set(key, termIds.size + 1);
    return termIds.get(key)!;
  };
  for (const tone of file.tones) {
    for (const name of [...tone.makes, ...tone.tags]) termId(name);
    for (const model of tone.models) {
      const path = `${base}${model.file}`;
      models.set(model.id, {
        ...model,
        tone_id: tone.id,
        user_id: tone.user_id,
        created_at: tone.created_at,
        path,
        bytes: statSync(path).size, // fails at load if a bundled file is missing
      });
    }
  }
  return {
    defaultUserId: file.defaultUserId,
    users: new Map(file.users.map((u) => [u.id, u])),
    tones: new Map(file.tones.map((t) => [t.id, structuredClone(t)])),
    models,
    favorites: new Map(Object.entries(file.favorites)),
    termIds,
  };
}
