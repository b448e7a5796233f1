import type { Catalog, CatalogTone, LoadedModel } from "./catalog.ts";

// How the stand-in renders its records as API JSON: the live v1 API's shapes, list and detail apart.

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

/** Models of a tone by the `GET /models` listing that returns them (the counts lists carry). */
function counts(tone: CatalogTone) {
  const of = (arch: string | null) => tone.models.filter((m) => m.architecture_version === arch).length;
  return {
    models_count: tone.models.length,
    a1_models_count: of("1"),
    a2_models_count: of("2"),
    custom_models_count: of("custom"),
    irs_count: of(null),
  };
}

/**
 * A tone as the live API sends it in lists (search, favorited, created): with dates and counts,
 * without `is_public`, `links`, `license` and `sizes`, which only the detail has.
 */
export function toneListJson(catalog: Catalog, tone: CatalogTone, base: string) {
  const term = (name: string) => ({ name }); // search results carry no term ids
  return {
    id: tone.id,
    user_id: tone.user_id,
    user: userJson(catalog, tone.user_id, base, false),
    created_at: tone.created_at,
    updated_at: tone.created_at,
    title: tone.title,
    description: tone.description,
    gear: tone.gear,
    format: tone.format,
    images: tone.images,
    makes: tone.makes.map(term),
    tags: tone.tags.map(term),
    ...counts(tone),
    downloads_count: tone.downloads_count,
    favorites_count: tone.favorites_count,
    url: `${base}/tones/${slug(tone.title)}-${tone.id}`,
  };
}

/** `GET /tones/{id}`: the detail fields, no dates (as documented); IR tones have `sizes: null`. */
export function toneDetailJson(catalog: Catalog, tone: CatalogTone, base: string) {
  const term = (name: string) => ({ id: catalog.termIds.get(name.toLowerCase()) ?? 0, name });
  const sizes =
    tone.format === "ir" ? null : [...new Set(tone.models.flatMap((m) => (m.size === null ? [] : [m.size])))];
  const { created_at: _created, updated_at: _updated, ...listed } = toneListJson(catalog, tone, base);
  return {
    ...listed,
    is_public: tone.is_public,
    links: tone.links,
    license: tone.license,
    sizes,
    makes: tone.makes.map(term),
    tags: tone.tags.map(term),
  };
}

export function modelFileName(model: LoadedModel): string {
  return model.path.slice(model.path.lastIndexOf("/") + 1);
}

/** `model_url` names the file on the files host (the live API: `https://www.tone3000.com/...`). */
export function modelJson(model: LoadedModel, filesBase: string) {
  const isIr = model.architecture_version === null;
  return {
    id: model.id,
    tone_id: model.tone_id,
    user_id: model.user_id,
    created_at: model.created_at,
    updated_at: model.created_at,
    name: model.name,
    model_url: `${filesBase}/api/v1/models/${model.id}/download/${modelFileName(model)}`,
    size: isIr ? null : model.size,
    architecture_version: model.architecture_version,
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
