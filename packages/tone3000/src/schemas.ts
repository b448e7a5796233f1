import { z } from "zod";

// Wire shapes of the Tone 3000 API v1, read leniently: objects are loose (unknown fields pass
// through, the API grows), only the fields the product relies on are required, and enum values in
// answers are open strings (a new gear, format or licence is shown as it comes). The enums below
// are what we send (search filters) and what we know how to label.

/** The public docs say string, some clients say number: accept both, keep a string. */
export const UserId = z.union([z.string().min(1), z.number().int()]).transform((id) => String(id));

export const GEARS = [
  "amp",
  "amp-cab",
  "pedal",
  "outboard",
  "cab",
  "space",
  "experimental",
  "ir",
  "full-rig",
] as const;
export const Gear = z.enum(GEARS);
export type Gear = z.infer<typeof Gear>;

export const FORMATS = ["nam", "ir", "aida-x", "aa-snapshot", "proteus"] as const;
export const Format = z.enum(FORMATS);
export type Format = z.infer<typeof Format>;

export const SIZES = ["standard", "lite", "feather", "nano", "custom"] as const;
export const Size = z.enum(SIZES);
export type Size = z.infer<typeof Size>;

export const ARCHITECTURES = ["1", "2", "custom"] as const;
export const Architecture = z.enum(ARCHITECTURES);
export type Architecture = z.infer<typeof Architecture>;

export const LICENSES = [
  "t3k",
  "cc-by",
  "cc-by-sa",
  "cc-by-nc",
  "cc-by-nc-sa",
  "cc-by-nd",
  "cc-by-nc-nd",
  "cco",
] as const;
/** Kept open: a new licence upstream should not make every tone unreadable. */
export const License = z.string().min(1);
export type License = z.infer<typeof License>;

export const TONE_SORTS = ["best-match", "newest", "oldest", "trending", "downloads-all-time"] as const;
export const ToneSort = z.enum(TONE_SORTS);
export type ToneSort = z.infer<typeof ToneSort>;

/**
 * A display-only field: absent, null or of an unexpected type reads as null, so one odd value
 * upstream never refuses a whole page. Fields the product relies on are checked strictly instead.
 */
const shown = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);

/** An enum value as Tone 3000 sent it: known ones are listed above, new ones pass as they come. */
const OpenValue = z.string().min(1);

export const EmbeddedUser = z.looseObject({
  id: UserId,
  username: z.string(),
  avatar_url: shown(z.string()),
  url: shown(z.string()),
});
export type EmbeddedUser = z.infer<typeof EmbeddedUser>;

export const User = z.looseObject({
  id: UserId,
  username: z.string(),
  avatar_url: shown(z.string()),
  url: shown(z.string()),
  bio: shown(z.string()),
  links: shown(z.array(z.string())),
  created_at: shown(z.string()),
  updated_at: shown(z.string()),
});
export type User = z.infer<typeof User>;

/** Makes and tags carry an id except in search results. */
export const NamedTerm = z.looseObject({ id: z.number().int().nullish(), name: z.string() });
export type NamedTerm = z.infer<typeof NamedTerm>;

const count = shown(z.number().int().nonnegative());

/**
 * A tone as lists (search, favorited, created) and `GET /tones/{id}` send it. Lists leave out
 * `is_public`, `links`, `license` and `sizes`; the detail leaves out the dates; IR tones send
 * `sizes: null`; some answers say `platform` where others say `format`. Only `id`, `title` and
 * the creator are required: the rest is shown when present.
 */
export const Tone = z.looseObject({
  id: z.number().int(),
  title: z.string(),
  user: EmbeddedUser,
  user_id: shown(UserId),
  created_at: shown(z.string()),
  updated_at: shown(z.string()),
  description: shown(z.string()),
  gear: shown(OpenValue),
  format: shown(OpenValue),
  /** The older spelling of `format`. */
  platform: shown(OpenValue),
  images: shown(z.array(z.string())),
  is_public: shown(z.boolean()),
  links: shown(z.array(z.string())),
  license: shown(OpenValue),
  sizes: shown(z.array(OpenValue)),
  makes: shown(z.array(NamedTerm)),
  tags: shown(z.array(NamedTerm)),
  models_count: count,
  /** Per-architecture counts: they say which `GET /models?architecture=` lists are worth asking for. */
  a1_models_count: count,
  a2_models_count: count,
  custom_models_count: count,
  irs_count: count,
  downloads_count: count,
  favorites_count: count,
  url: shown(z.string()),
});
export type Tone = z.infer<typeof Tone>;

/**
 * A downloadable file of a tone. IR models send `size: null` and `architecture_version: null`.
 * Required: what a download needs (`id`, `model_url`).
 */
export const Model = z.looseObject({
  id: z.number().int(),
  model_url: z.string().min(1),
  name: shown(z.string()),
  tone_id: shown(z.number().int()),
  user_id: shown(UserId),
  created_at: shown(z.string()),
  updated_at: shown(z.string()),
  size: shown(OpenValue),
  /** "1" (A1), "2" (A2), "custom"; null for non-NAM files such as IRs. */
  architecture_version: shown(
    z.union([
      OpenValue,
      z
        .number()
        .int()
        .transform((n) => String(n)),
    ]),
  ),
});
export type Model = z.infer<typeof Model>;

export function Page<T extends z.ZodType>(item: T) {
  return z.looseObject({
    data: z.array(item),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    total_pages: z.number().int(),
  });
}
export interface Page<T> {
  data: T[];
  page: number;
  page_size: number;
  total: number;
  total_pages: number;
}

/** POST /api/v1/oauth/token answer (both grants). */
// Read like the official client does: the pair and its lifetime. No `token_type` (Tone 3000 does
// not promise one; its tokens are Bearer tokens).
export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  scope: shown(z.string()),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** OAuth error body (RFC 6749 §5.2), e.g. `{"error":"invalid_grant"}`. */
export const OAuthErrorBody = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});
export type OAuthErrorBody = z.infer<typeof OAuthErrorBody>;

/**
 * The token endpoint's other refusal style (Supabase GoTrue, which Tone 3000's auth runs on):
 * `{"code":400,"error_code":"refresh_token_not_found","msg":"Invalid Refresh Token: ..."}`.
 */
export const GoTrueErrorBody = z.looseObject({
  code: z.number().int().optional(),
  error_code: z.string().min(1),
  msg: z.string().optional(),
  message: z.string().optional(),
});
export type GoTrueErrorBody = z.infer<typeof GoTrueErrorBody>;

/** Resource error body: `{"error": "..."}`, sometimes with a message. */
export const ApiErrorBody = z.looseObject({
  error: z.string(),
  message: z.string().optional(),
  error_description: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/**
 * A light check that bytes are a `.nam` model: JSON with an architecture, a config and a
 * numeric weights array. The audio engine does the real validation.
 */
export const NamFileShape = z.looseObject({
  version: z.string().optional(),
  architecture: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  weights: z.array(z.number()),
  sample_rate: z.number().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type NamFileShape = z.infer<typeof NamFileShape>;
