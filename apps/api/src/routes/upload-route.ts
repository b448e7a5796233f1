import { toFileOutput, uploadName } from "@shootout/router";
import type { Storage } from "@shootout/storage";
import { z } from "zod";
import { type AuthDeps, requireUser } from "../http/authenticate.ts";
import { HttpError, sendJson } from "../http/errors.ts";
import type { RouteRateLimit } from "../http/route-rate-limit.ts";
import { ingestUpload, UploadRejectedError } from "../uploads/ingest-upload.ts";
import type { Route } from "./route.ts";

const uploadQuery = z.object({
  kind: z.enum(["di", "ir"]),
  // The display name only: storage is content-addressed, so the name never reaches a path.
  // Stored as text: the router's one rule for stored strings (no control characters, no NUL).
  name: uploadName,
});

export interface UploadDeps extends AuthDeps {
  readonly storage: Storage;
  readonly maxUploadBytes: number;
  readonly checkRate: RouteRateLimit;
}

/**
 * `POST /files?kind=di|ir&name=…`: the raw body is the file. Checks run cheapest first (session,
 * query, declared length) so a refused upload costs us as few bytes as possible; the body is then
 * streamed to storage, hashed on the way (see ingestUpload for what is checked after).
 */
export function uploadRoutes(deps: UploadDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/files",
      async handle({ req, res, url, log }) {
        const user = await requireUser(req, res, deps);
        await deps.checkRate(`user:${user.id}`);
        const query = uploadQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!query.success) {
          throw new HttpError("BAD_REQUEST", z.prettifyError(query.error).replaceAll("\n", "; "));
        }
        const declared = Number(req.headers["content-length"]);
        if (Number.isFinite(declared) && declared > deps.maxUploadBytes) {
          throw new HttpError("PAYLOAD_TOO_LARGE", `uploads are limited to ${deps.maxUploadBytes} bytes`);
        }

        // Sniffing, streaming into storage (hashed) and the files row: shared with in-process callers.
        let ingested: Awaited<ReturnType<typeof ingestUpload>>;
        try {
          ingested = await ingestUpload(deps, {
            ownerId: user.id,
            kind: query.data.kind,
            name: query.data.name,
            body: req,
            maxBytes: deps.maxUploadBytes,
          });
        } catch (error) {
          if (error instanceof UploadRejectedError) throw new HttpError(error.code, error.message);
          throw error;
        }
        const { file, type } = ingested;
        log.info({ fileId: file.id, kind: query.data.kind, type, size: file.sizeBytes }, "file uploaded");
        res.setHeader("location", `/files/${file.id}`);
        // The file as files.get shows it (never its storage key).
        sendJson(res, 201, toFileOutput(file));
      },
    },
  ];
}
