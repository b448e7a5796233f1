import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { type Catalog, loadCatalog } from "./catalog.ts";
import { createFaultInjector, type FaultInjector } from "./faults.ts";
import { createOAuthStore, type OAuthStore, type RegisteredClient } from "./oauth-store.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { LibraryQuery, ModelsQuery, SearchQuery, searchTones } from "./search.ts";
import { readStateFile, writeStateFile } from "./state-file.ts";
import { modelJson, paginate, toneJson, userJson } from "./views.ts";

/** The client the stand-in knows out of the box (the embedded product's defaults). */
export const DEFAULT_STAND_IN_CLIENT: RegisteredClient = {
  clientId: "t3k_pub_shootout_local",
  redirectUris: ["http://localhost:3000/auth/callback", "http://127.0.0.1:3000/auth/callback"],
};

export const Tone3000StandInOptions = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default("127.0.0.1"),
  /** The user the authorize endpoint approves without UI; `false` makes it answer access_denied. */
  autoApproveUser: z.union([z.string().min(1), z.literal(false)]).optional(),
  rateLimitPerMinute: z.number().int().positive().default(100),
  accessTokenTtlSeconds: z.number().positive().default(3600),
  /** Authorization codes live this long (real Tone 3000: short). Fractions allowed for tests. */
  codeTtlSeconds: z.number().positive().default(60),
  clients: z
    .array(z.object({ clientId: z.string().min(1), redirectUris: z.array(z.string().min(1)) }))
    .default([DEFAULT_STAND_IN_CLIENT]),
  catalogDir: z.string().optional(),
  /** The origin used in model_url/url fields; defaults to http://host:port. */
  publicUrl: z.url().optional(),
  /**
   * Keep issued grants (access + refresh tokens, their families) in this JSON file, loaded at
   * start and rewritten atomically on every change, so tokens survive a restart. Unset: memory only.
   */
  stateFile: z.string().min(1).optional(),
});
export type Tone3000StandInOptions = z.input<typeof Tone3000StandInOptions>;

export interface Tone3000StandIn {
  url: string;
  close(): Promise<void>;
  /** TEST-ONLY: force the next answers on a path (see faults.ts). */
  faults: FaultInjector;
  registerClient(client: RegisteredClient): void;
  /** The in-memory authorization server (tests use it to expire tokens). */
  oauth: OAuthStore;
  catalog: Catalog;
  /** The catalog user id the authorize endpoint approves without UI, or false (it denies). */
  autoApprovedUser: string | false;
}

class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body.error));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorPage(res: ServerResponse, status: number, message: string) {
  const html = `<!doctype html><meta charset="utf-8"><title>Authorization error</title><h1>Authorization error</h1><p>${escapeHtml(message)}</p>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit)
      throw new HttpError(413, { error: "invalid_request", error_description: "Body too large" });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const TokenRequest = z.discriminatedUnion("grant_type", [
  z.object({
    grant_type: z.literal("authorization_code"),
    code: z.string().min(1),
    code_verifier: z.string().min(43).max(128),
    redirect_uri: z.string().min(1),
    client_id: z.string().min(1),
  }),
  z.object({
    grant_type: z.literal("refresh_token"),
    refresh_token: z.string().min(1),
    client_id: z.string().min(1),
  }),
]);

function queryOf<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, {
      error: issue ? `${issue.path.join(".")}: ${issue.message}` : "Invalid query",
    });
  }
  return parsed.data;
}

export async function createTone3000StandIn(input: Tone3000StandInOptions = {}): Promise<Tone3000StandIn> {
  const options = Tone3000StandInOptions.parse(input);
  const catalog = loadCatalog(options.catalogDir);
  const approvedUser =
    options.autoApproveUser === undefined ? catalog.defaultUserId : options.autoApproveUser;
  if (approvedUser !== false && !catalog.users.has(approvedUser))
    throw new Error(`autoApproveUser: unknown user ${approvedUser}`);
  const { stateFile } = options;
  const oauth = createOAuthStore({
    codeTtlSeconds: options.codeTtlSeconds,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    initialState: stateFile ? readStateFile(stateFile) : null,
    onChange: stateFile
      ? (state) => {
          try {
            writeStateFile(stateFile, state);
          } catch (error) {
            // The grant stands in memory; only a restart would lose it. Serving goes on.
            console.error(`tone3000 stand-in: could not save ${stateFile}:`, error);
          }
        }
      : undefined,
  });
  for (const client of options.clients) oauth.registerClient(client);
  const limiter = createRateLimiter(options.rateLimitPerMinute);
  const faults = createFaultInjector();
  let base = options.publicUrl ?? "";

  function authorize(url: URL, res: ServerResponse) {
    const p = url.searchParams;
    const clientId = p.get("client_id") ?? "";
    const redirectUri = p.get("redirect_uri") ?? "";
    const client = oauth.client(clientId);
    // Never redirect to an unverified URI: an error page instead (RFC 6749 §4.1.2.1).
    if (!client) return errorPage(res, 400, "Unknown client_id.");
    if (!client.redirectUris.includes(redirectUri))
      return errorPage(res, 400, "redirect_uri is not registered for this client.");
    const back = new URL(redirectUri);
    const state = p.get("state");
    const redirect = (params: Record<string, string>) => {
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      if (state !== null) back.searchParams.set("state", state);
      res.writeHead(302, { location: back.toString(), "cache-control": "no-store" });
      res.end();
    };
    if ((p.get("response_type") ?? "code") !== "code")
      return redirect({ error: "unsupported_response_type" });
    const challenge = p.get("code_challenge") ?? "";
    if (p.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return redirect({
        error: "invalid_request",
        error_description: "PKCE with code_challenge_method=S256 is required",
      });
    }
    if (!state) return redirect({ error: "invalid_request", error_description: "state is required" });
    if (approvedUser === false)
      return redirect({ error: "access_denied", error_description: "The user denied access" });
    const code = oauth.createCode({ clientId, redirectUri, codeChallenge: challenge, userId: approvedUser });
    const extra: Record<string, string> = {};
    for (const key of ["tone_id", "model_id"]) {
      const value = p.get(key);
      if (value) extra[key] = value;
    }
    return redirect({ code, ...extra });
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    let fields: unknown;
    try {
      fields = type.includes("application/json")
        ? JSON.parse(raw)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      throw new HttpError(400, { error: "invalid_request", error_description: "Unreadable body" });
    }
    const grantType = (fields as { grant_type?: unknown } | null)?.grant_type;
    if (grantType !== "authorization_code" && grantType !== "refresh_token") {
      throw new HttpError(400, {
        error: "unsupported_grant_type",
        error_description: "grant_type must be authorization_code or refresh_token",
      });
    }
    const parsed = TokenRequest.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, {
        error: "invalid_request",
        error_description: issue ? `${issue.path.join(".")}: ${issue.message}` : "Invalid request",
      });
    }
    const body = parsed.data;
    const result =
      body.grant_type === "authorization_code"
        ? oauth.exchangeCode({
            clientId: body.client_id,
            code: body.code,
            codeVerifier: body.code_verifier,
            redirectUri: body.redirect_uri,
          })
        : oauth.refresh({ clientId: body.client_id, refreshToken: body.refresh_token });
    const noStore = { "cache-control": "no-store", pragma: "no-cache" };
    if (!result.ok)
      return sendJson(
        res,
        result.status,
        { error: result.error, error_description: result.description },
        noStore,
      );
    return sendJson(
      res,
      200,
      {
        access_token: result.accessToken,
        refresh_token: result.refreshToken,
        expires_in: result.expiresIn,
        token_type: "bearer",
      },
      noStore,
    );
  }

  function bearer(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }

  function visible(userId: string) {
    return [...catalog.tones.values()].filter((t) => t.is_public || t.user_id === userId);
  }

  function toneFor(userId: string, idText: string) {
    const id = Number(idText);
    const tone = Number.isInteger(id) ? catalog.tones.get(id) : undefined;
    if (!tone) throw new HttpError(404, { error: "Tone not found" });
    if (!tone.is_public && tone.user_id !== userId)
      throw new HttpError(403, { error: "You do not have access to this tone" });
    return tone;
  }

  function modelFor(userId: string, idText: string) {
    const id = Number(idText);
    const model = Number.isInteger(id) ? catalog.models.get(id) : undefined;
    if (!model) throw new HttpError(404, { error: "Model not found" });
    toneFor(userId, String(model.tone_id));
    return model;
  }

  function api(res: ServerResponse, url: URL, userId: string) {
    const path = url.pathname;
    const tones = (
      list: typeof catalog.tones extends Map<number, infer T> ? T[] : never,
      page: number,
      size: number,
    ) => {
      const p = paginate(list, page, size);
      return { ...p, data: p.data.map((t) => toneJson(catalog, t, base, true)) };
    };
    if (path === "/api/v1/user") return sendJson(res, 200, userJson(catalog, userId, base, true));
    if (path === "/api/v1/tones/search") {
      const q = queryOf(SearchQuery, url);
      const found = searchTones(visible(userId), q, (id) => catalog.users.get(id)?.username ?? "");
      return sendJson(res, 200, tones(found, q.page, q.page_size));
    }
    if (path === "/api/v1/tones/created" || path === "/api/v1/tones/favorited") {
      const q = queryOf(LibraryQuery, url);
      const favorites = catalog.favorites.get(userId) ?? [];
      const mine =
        path === "/api/v1/tones/created"
          ? [...catalog.tones.values()]
              .filter((t) => t.user_id === userId)
              .sort((a, b) => b.created_at.localeCompare(a.created_at))
          : favorites
              .map((id) => catalog.tones.get(id))
              .filter((t) => t !== undefined && (t.is_public || t.user_id === userId));
      const filtered = mine.filter(
        (t): t is NonNullable<typeof t> =>
          t !== undefined &&
          (!q.gear || t.gear === q.gear) &&
          (!q.query || t.title.toLowerCase().includes(q.query.toLowerCase())),
      );
      return sendJson(res, 200, tones(filtered, q.page, q.page_size));
    }
    const toneMatch = /^\/api\/v1\/tones\/([^/]+)$/.exec(path);
    if (toneMatch) return sendJson(res, 200, toneJson(catalog, toneFor(userId, toneMatch[1]!), base, false));
    if (path === "/api/v1/models") {
      const q = queryOf(ModelsQuery, url);
      const tone = toneFor(userId, String(q.tone_id));
      // Without `architecture`, the API lists A1 + custom models (not A2), and non-NAM ones.
      const allowed = q.architecture ?? ["1", "custom"];
      const models = tone.models
        .map((m) => catalog.models.get(m.id)!)
        .filter((m) => m.architecture_version === null || allowed.includes(m.architecture_version));
      const p = paginate(models, q.page, q.page_size);
      return sendJson(res, 200, { ...p, data: p.data.map((m) => modelJson(m, base)) });
    }
    const downloadMatch = /^\/api\/v1\/models\/([^/]+)\/download$/.exec(path);
    if (downloadMatch) {
      const model = modelFor(userId, downloadMatch[1]!);
      const tone = catalog.tones.get(model.tone_id)!;
      tone.downloads_count++;
      const fileName = model.path.slice(model.path.lastIndexOf("/") + 1);
      res.writeHead(200, {
        "content-type": fileName.endsWith(".wav") ? "audio/wav" : "application/octet-stream",
        "content-length": model.bytes,
        "content-disposition": `attachment; filename="${fileName}"`,
      });
      createReadStream(model.path).pipe(res);
      return;
    }
    const modelMatch = /^\/api\/v1\/models\/([^/]+)$/.exec(path);
    if (modelMatch) return sendJson(res, 200, modelJson(modelFor(userId, modelMatch[1]!), base));
    throw new HttpError(404, { error: "Not found" });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const method = req.method ?? "GET";
    const fault = faults.take(method, url.pathname);
    if (fault) return faults.serve(fault, res);

    if (url.pathname === "/healthz") return sendJson(res, 200, { ok: true });
    if (url.pathname === "/api/v1/oauth/authorize" && method === "GET") return authorize(url, res);
    if (url.pathname === "/api/v1/oauth/token") {
      if (method !== "POST") throw new HttpError(405, { error: "Method not allowed" }, { allow: "POST" });
      return token(req, res);
    }
    if (!url.pathname.startsWith("/api/v1/")) throw new HttpError(404, { error: "Not found" });
    if (method !== "GET") throw new HttpError(405, { error: "Method not allowed" }, { allow: "GET" });

    const accessToken = bearer(req);
    const wait = limiter.hit(accessToken ? `token:${accessToken}` : `addr:${req.socket.remoteAddress}`);
    if (wait !== undefined) {
      throw new HttpError(429, { error: "Too many requests" }, { "retry-after": String(wait) });
    }
    if (!accessToken)
      throw new HttpError(
        401,
        { error: "Unauthorized", message: "Missing Bearer token" },
        { "www-authenticate": "Bearer" },
      );
    const auth = oauth.authenticate(accessToken);
    if (!auth.ok) {
      throw new HttpError(
        401,
        { error: "Unauthorized", message: auth.reason },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
    }
    return api(res, url, auth.userId);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) return sendJson(res, error.status, error.body, error.headers);
      console.error("tone3000 stand-in:", error);
      sendJson(res, 500, { error: "Internal server error" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (!base) base = url;

  return {
    url,
    faults,
    oauth,
    catalog,
    autoApprovedUser: approvedUser,
    registerClient: (client) => oauth.registerClient(client),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
