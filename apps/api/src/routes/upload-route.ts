import type { AudioFileType } from "@shootout/audio";
import { sniffAudioType } from "@shootout/audio";
import { recordUploadedFile } from "@shootout/router";
import { type Storage, StorageError } from "@shootout/storage";
import { z } from "zod";
import { type AuthDeps, requireUser } from "../http/authenticate.ts";
import { HttpError, sendJson } from "../http/errors.ts";
import { peek } from "../http/peek.ts";
import type { RouteRateLimit } from "../http/route-rate-limit.ts";
import type { Route } from "./route.ts";

/** Enough to see past a small ID3 tag; larger tags are taken as MP3 by the sniffer. */
const SNIFF_BYTES = 4096;

const MIME: Record<AudioFileType, string> = {
  wav: "audio/wav",
  flac: "audio/flac",
  aiff: "audio/aiff",
  mp3: "audio/mpeg",
};

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

const uploadQuery = z.object({
  kind: z.enum(["di", "ir"]),
  // The display name only: storage is content-addressed, so the name never reaches a path.
  name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((v) => ![...v].some(isControl), "must not contain control characters"),
});

export interface UploadDeps extends AuthDeps {
  readonly storage: Storage;
  readonly maxUploadBytes: number;
  readonly checkRate: RouteRateLimit;
}

/**
 * `POST /files?kind=di|ir&name=…`: the raw body is the file. Checks run cheapest first (session,
 * query, declared length) so a refused upload costs us as few bytes as possible; the body is then
 * streamed to storage, hashed on the way, and never held in memory whole.
 */
export function uploadRoutes(deps: UploadDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/files",
      async handle({ req, res, url, log }) {
        const user = await requireUser(req, deps);
        deps.checkRate(`user:${user.id}`);
        const query = uploadQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!query.success) {
          throw new HttpError("BAD_REQUEST", z.prettifyError(query.error).replaceAll("\n", "; "));
        }
        const declared = Number(req.headers["content-length"]);
        if (Number.isFinite(declared) && declared > deps.maxUploadBytes) {
          throw new HttpError("PAYLOAD_TOO_LARGE", `uploads are limited to ${deps.maxUploadBytes} bytes`);
        }

        const { head, body } = await peek(req, SNIFF_BYTES);
        const type = sniffAudioType(head);
        if (!type) {
          throw new HttpError("UNSUPPORTED_MEDIA_TYPE", "not a WAV, FLAC, AIFF or MP3 file");
        }

        let stored: Awaited<ReturnType<Storage["put"]>>;
        try {
          stored = await deps.storage.put(body, { maxBytes: deps.maxUploadBytes });
        } catch (error) {
          if (error instanceof StorageError && error.code === "too_large") {
            throw new HttpError("PAYLOAD_TOO_LARGE", `uploads are limited to ${deps.maxUploadBytes} bytes`);
          }
          throw error;
        }
        // The bytes stay even if this insert fails: the key is content-addressed and may be shared.
        const file = await recordUploadedFile(deps.db, {
          ownerId: user.id,
          kind: query.data.kind,
          name: query.data.name,
          mime: MIME[type],
          sizeBytes: stored.size,
          sha256: stored.sha256,
          storageKey: stored.key,
        });
        log.info({ fileId: file.id, kind: query.data.kind, type, size: stored.size }, "file uploaded");
        res.setHeader("location", `/files/${file.id}`);
        sendJson(res, 201, file);
      },
    },
  ];
}
