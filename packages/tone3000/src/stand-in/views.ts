import type { Catalog, CatalogTone, LoadedModel } from "./catalog.ts";

// How the stand-in renders its records as API JSON (the same fields as the real v1 API).

export function userJson(catalog: Catalog, userId: string, base: string, full: boolean) {
  const user = catalog.users.get(userId);
  if (!user) throw new Error(`catalog: unknown user ${userId}`);
  const embedded = {
    id: user.id,
    username: user.username,
    avatar_url: user.avatar_url,
    url: `${base}/${user.username}`,
  };
  if (!full) return embedded;
  return {
    ...embedded,
    bio: user.bio,
    links: user.links,
    created_at: user.created_at,
    updated_at: user.created_at,
  };
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function toneJson(catalog: Catalog, tone: CatalogTone, base: string, withDates: boolean) {
  const term = (name: string) => ({ id: catalog.termIds.get(name.toLowerCase()) ?? 0, name });
  const sizes = [...new Set(tone.models.map((m) => m.size))];
  return {
    id: tone.id,
    user_id: tone.user_id,
    user: userJson(catalog, tone.user_id, base, false),
    // The real API leaves dates out of GET /tones/{id}; lists include them.
    ...(withDates ? { created_at: tone.created_at, updated_at: tone.created_at } : {}),
    title: tone.title,
    description: tone.description,
    gear: tone.gear,
    images: tone.images,
    is_public: tone.is_public,
    links: tone.links,
    format: tone.format,
    license: tone.license,
    sizes,
    makes: tone.makes.map(term),
    tags: tone.tags.map(term),
    models_count: tone.models.length,
    downloads_count: tone.downloads_count,
    favorites_count: tone.favorites_count,
    url: `${base}/tones/${slug(tone.title)}-${tone.id}`,
  };
}

export function modelJson(model: LoadedModel, base: string) {
  return {
    id: model.id,
    created_at: model.created_at,
    updated_at: model.created_at,
    user_id: model.user_id,
    model_url: `${base}/api/v1/models/${model.id}/download`,
    name: model.name,
    size: model.size,
    architecture_version: model.architecture_version,
    tone_id: model.tone_id,
  };
}

export function paginate<T>(items: T[], page: number, pageSize: number) {
  const total = items.length;
  return {
    data: items.slice((page - 1) * pageSize, page * pageSize),
    page,
    page_size: pageSize,
    total,
    total_pages: Math.ceil(total / pageSize),
  };
}
