import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { HttpError } from "../http/errors.ts";
import type { Route, RouteRequest } from "./route.ts";

/** Where `pnpm --filter @shootout/web build` writes the browser app. */
export const DEFAULT_WEB_DIST_DIR = path.resolve(import.meta.dirname, "../../../web/dist");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// Vite names files under assets/ by content hash: they never change, so caches may keep them. The
// page itself and top-level files must be revalidated, or a new build would not reach the browser.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Shootout</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>The web app is not built yet</h1>
<p>The API is running. Build the browser app with <code>pnpm --filter @shootout/web build</code>
(<code>./shootout start</code> does it for you), then reload this page.</p></body></html>`;

/** One path segment naming a file: no separators, no dot-files, nothing that climbs out. */
function safeName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.includes("..");
}

/** Whether the request is a browser asking for a page (the SPA fallback answers only those). */
function wantsHtml(request: RouteRequest): boolean {
  return (request.req.headers.accept ?? "").includes("text/html");
}

async function fileSize(file: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

async function sendFile(request: RouteRequest, file: string, cacheControl: string): Promise<boolean> {
  const info = await fileSize(file);
  if (!info) return false;
  const { req, res } = request;
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  res.setHeader("content-type", CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream");
  res.setHeader("cache-control", cacheControl);
  res.setHeader("etag", etag);
  res.setHeader("x-content-type-options", "nosniff");
  if (req.headers["if-none-match"] === etag) {
    res.statusCode = 304;
    res.end();
    return true;
  }
  res.statusCode = 200;
  res.setHeader("content-length", info.size);
  if (req.method === "HEAD") {
    res.end();
    return true;
  }
  try {
    await pipeline(createReadStream(file), res);
  } catch (error) {
    // The browser went away mid-file (a navigation, a closed tab): nothing to answer, not a failure.
    if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
  return true;
}

/**
 * The browser app (apps/web/dist) on the API's own origin, so its calls carry the session cookie:
 * hashed assets cached for good, the page revalidated, and the app's page paths answered with
 * index.html (the app routes them itself). Without a build, pages explain how to make one.
 */
export function webAppRoutes(options: { distDir?: string } = {}): Route[] {
  const distDir = path.resolve(options.distDir ?? DEFAULT_WEB_DIST_DIR);
  const indexFile = path.join(distDir, "index.html");

  async function page(request: RouteRequest): Promise<void> {
    if (await sendFile(request, indexFile, REVALIDATE)) return;
    const { res } = request;
    res.statusCode = 503;
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.end(request.req.method === "HEAD" ? undefined : NOT_BUILT_PAGE);
  }

  async function asset(request: RouteRequest): Promise<void> {
    const name = request.params.name ?? "";
    if (!safeName(name) || !(await sendFile(request, path.join(distDir, "assets", name), IMMUTABLE))) {
      throw new HttpError("NOT_FOUND", `no asset ${name}`);
    }
  }

  async function topLevel(request: RouteRequest): Promise<void> {
    const name = request.params.name ?? "";
    if (
      safeName(name) &&
      name !== "index.html" &&
      (await sendFile(request, path.join(distDir, name), REVALIDATE))
    ) {
      return;
    }
    // A page of the app (/new, /sign-in…), when a browser asks; anything else stays a 404.
    if (!name.includes(".") && wantsHtml(request)) return page(request);
    throw new HttpError("NOT_FOUND", `no route for ${request.url.pathname}`);
  }

  return [
    { method: "GET", path: "/", handle: page },
    { method: "GET", path: "/assets/:name", handle: asset },
    { method: "GET", path: "/:name", handle: topLevel },
    // The app's pages below the top level (apps/web/src/app.ts).
    { method: "GET", path: "/shootouts/:id", handle: page },
    { method: "GET", path: "/shootouts/:id/edit", handle: page },
    { method: "GET", path: "/jobs/:id", handle: page },
  ];
}
