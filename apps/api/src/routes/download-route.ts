import { pipeline } from "node:stream/promises";
import { getReadableFile, NotFoundError } from "@shootout/router";
import { type Storage, StorageError } from "@shootout/storage";
import { z } from "zod";
import { type AuthDeps, currentUser } from "../http/authenticate.ts";
import { clientIpOf } from "../http/client-ip.ts";
import { HttpError } from "../http/errors.ts";
import { etagMatches, parseRange } from "../http/range.ts";
import type { RouteRateLimit } from "../http/route-rate-limit.ts";
import type { Route } from "./route.ts";

export interface DownloadDeps extends AuthDeps {
  readonly storage: Storage;
  readonly checkRate: RouteRateLimit;
  /** Whether X-Forwarded-For names the client (behind our own proxy), for signed-out rate limits. */
  readonly trustProxy: boolean;
}

const fileId = z.uuid();

/** `attachment; filename=…` that survives any name: an ASCII fallback plus the RFC 8187 form. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * `GET /files/:id`: the bytes of a file the caller may read (their own, or an output of a public
 * shootout's render, which needs no sign-in), with single byte ranges (seeking in a player,
 * resumable downloads) and a strong ETag (the sha256, so identical bytes share caches). Someone
 * else's file is a 404 exactly like a missing one, or a 401 when signed out: existence is not
 * revealed.
 */
export function downloadRoutes(deps: DownloadDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/files/:id",
      async handle({ req, res, params }) {
        const user = await currentUser(req, res, deps);
        await deps.checkRate(user ? `user:${user.id}` : `ip:${clientIpOf(req, deps.trustProxy)}`);
        const id = fileId.safeParse(params.id);
        // Not found only: a failing database stays a 500, not a 404.
        const file = id.success
          ? await getReadableFile(deps.db, user?.id ?? null, id.data).catch((error: unknown) => {
              if (error instanceof NotFoundError) return null;
              throw error;
            })
          : null;
        if (!file) {
          // The same answer for missing and someone else's; signed out, it may be theirs once signed in.
          if (!user)
            throw new HttpError("UNAUTHORIZED", "sign in first", {
              "www-authenticate": 'Bearer realm="shootout"',
            });
          throw new HttpError("NOT_FOUND", "file not found");
        }
        const stat = await deps.storage.stat(file.storageKey);
        if (!stat) throw new HttpError("NOT_FOUND", "file content is gone");

        const etag = `"${file.sha256}"`;
        res.setHeader("etag", etag);
        res.setHeader("accept-ranges", "bytes");
        // Private: the answer depends on who asks. Content-addressed, so it never changes.
        res.setHeader("cache-control", "private, max-age=31536000, immutable");
        res.setHeader("x-content-type-options", "nosniff");
        if (etagMatches(req.headers["if-none-match"], etag)) {
          res.statusCode = 304;
          res.end();
          return;
        }

        // With presigned downloads on (S3_PRESIGN_DOWNLOAD_SECONDS), the bytes come from the
        // bucket itself: the browser follows the redirect with its Range header. HEAD is answered
        // here (a URL is signed for one method).
        if (deps.storage.downloadUrl && req.method === "GET") {
          const location = await deps.storage.downloadUrl(file.storageKey, {
            contentType: file.mime,
            contentDisposition: contentDisposition(file.name),
          });
          res.statusCode = 302;
          res.removeHeader("etag");
          res.setHeader("location", location);
          // The URL expires: never reuse the redirect.
          res.setHeader("cache-control", "private, no-store");
          res.end();
          return;
        }

        // If-Range: a range only applies to the version the client already holds part of.
        const ifRange = req.headers["if-range"];
        const rangeHeader = ifRange === undefined || ifRange === etag ? req.headers.range : undefined;
        const range = parseRange(rangeHeader, stat.size);
        if (range.kind === "unsatisfiable") {
          throw new HttpError("RANGE_NOT_SATISFIABLE", "range outside the file", {
            "content-range": `bytes */${stat.size}`,
          });
        }
        // Opened before the answer's headers: bytes that vanished since stat() (an object
        // removed from the bucket behind our back) are a 404 too, not a broken 200.
        const stream =
          req.method === "HEAD"
            ? null
            : await deps.storage
                .get(
                  file.storageKey,
                  range.kind === "range" ? { start: range.start, end: range.end } : undefined,
                )
                .catch((error: unknown) => {
                  if (error instanceof StorageError && error.code === "not_found")
                    throw new HttpError("NOT_FOUND", "file content is gone");
                  throw error;
                });
        res.setHeader("content-type", file.mime);
        res.setHeader("content-disposition", contentDisposition(file.name));
        if (range.kind === "range") {
          res.statusCode = 206;
          res.setHeader("content-range", `bytes ${range.start}-${range.end}/${stat.size}`);
          res.setHeader("content-length", range.end - range.start + 1);
        } else {
          res.statusCode = 200;
          res.setHeader("content-length", stat.size);
        }
        if (!stream) {
          res.end();
          return;
        }
        await pipeline(stream, res);
      },
    },
  ];
}
