import { z } from "zod";

export const uploadedFile = z.object({
  id: z.uuid(),
  kind: z.enum(["di", "ir", "output"]),
  name: z.string(),
  mime: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  durationMs: z.number().nullable(),
  sampleRate: z.number().nullable(),
  channels: z.number().nullable(),
});

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** POST /files with a raw body; `token` null sends no credentials. */
export function upload(
  url: string,
  token: string | null,
  body: Uint8Array | ReadableStream<Uint8Array>,
  query: { kind?: string; name?: string } = {},
): Promise<Response> {
  const params = new URLSearchParams({ kind: query.kind ?? "di", name: query.name ?? "take.wav" });
  return fetch(`${url}/files?${params}`, {
    method: "POST",
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body,
    // Needed by fetch for a streamed (chunked) body.
    duplex: "half",
  } as RequestInit);
}
