import { z } from "zod";

// Wire shapes of the Tone 3000 API v1. Objects are loose (unknown fields pass through, the API
// grows), but every field we rely on is required, so a change upstream fails loudly here.

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

export const TONE_SORTS = ["best-match", "newest", "oldest", "trending", "downloads-all-time"] as const;
export const ToneSort = z.enum(TONE_SORTS);
export type ToneSort = z.infer<typeof ToneSort>;

export const EmbeddedUser = z.looseObject({
  id: UserId,
  username: z.string(),
  avatar_url: z.string().nullable(),
  url: z.string(),
});
export type EmbeddedUser = z.infer<typeof EmbeddedUser>;

export const User = z.looseObject({
  id: UserId,
  username: z.string(),
  avatar_url: z.string().nullable(),
  url: z.string(),
  bio: z.string().nullable().optional(),
  links: z.array(z.string()).nullable().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type User = z.infer<typeof User>;

/** Makes and tags carry an id except in search results. */
export const NamedTerm = z.looseObject({ id: z.number().int().optional(), name: z.string() });
export type NamedTerm = z.infer<typeof NamedTerm>;

export const Tone = z.looseObject({
  id: z.number().int(),
  user_id: UserId,
  user: EmbeddedUser,
  // Absent from GET /tones/{id}, present in lists.
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  title: z.string(),
  description: z.string().nullable(),
  gear: Gear,
  images: z.array(z.string()).nullable(),
  is_public: z.boolean().nullable(),
  links: z.array(z.string()).nullable(),
  format: Format,
  license: License,
  sizes: z.array(Size),
  makes: z.array(NamedTerm),
  tags: z.array(NamedTerm),
  models_count: z.number().int(),
  downloads_count: z.number().int(),
  favorites_count: z.number().int(),
  url: z.string(),
});
export type Tone = z.infer<typeof Tone>;

export const Model = z.looseObject({
  id: z.number().int(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  user_id: UserId.optional(),
  model_url: z.string().min(1),
  name: z.string(),
  size: Size,
  /** null (or absent) for non-NAM models such as IRs. */
  architecture_version: Architecture.nullable().optional(),
  tone_id: z.number().int(),
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
export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().refine((t) => t.toLowerCase() === "bearer", "token_type must be bearer"),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** OAuth error body (RFC 6749 §5.2), e.g. `{"error":"invalid_grant"}`. */
export const OAuthErrorBody = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});
export type OAuthErrorBody = z.infer<typeof OAuthErrorBody>;

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
