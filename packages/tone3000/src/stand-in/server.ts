import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { wwwTwinOrigin } from "../tone3000-hosts.ts";
import { type Catalog, loadCatalog } from "./catalog.ts";
import { createFaultInjector, type FaultInjector } from "./faults.ts";
import { escapeHtml } from "./html.ts";
import { createOAuthStore, type OAuthStore, type RegisteredClient } from "./oauth-store.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { LibraryQuery, ModelsQuery, SearchQuery, searchTones } from "./search.ts";
import { chooserPage, findCatalogUser } from "./sign-in-chooser.ts";
import { readStateFile, writeStateFile } from "./state-file.ts";
import { modelFileName, modelJson, paginate, toneDetailJson, toneListJson, userJson } from "./views.ts";

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
  /**
   * Without a `login_hint`, show a page to choose which catalogue user signs in (so two people
   * can try sharing and privacy locally) instead of approving `autoApproveUser` at once.
   */
  chooser: z.boolean().default(false),
  rateLimitPerMinute: z.number().int().positive().default(100),
  accessTokenTtlSeconds: z.number().positive().default(3600),
  /** Authorization codes live this long (real Tone 3000: short). Fractions allowed for tests. */
  codeTtlSeconds: z.number().positive().default(60),
  clients: z
    .array(z.object({ clientId: z.string().min(1), redirectUris: z.array(z.string().min(1)) }))
    .default([DEFAULT_STAND_IN_CLIENT]),
  catalogDir: z.string().optional(),
  /**
   * The API's origin (authorize, token, JSON). Default: http://localhost:port when listening on
   * 127.0.0.1, else http://host:port.
   */
  publicUrl: z.url().optional(),
  /**
   * Where model_url points, the way the live API names files on `www.tone3000.com`. Default: the
   * `www.` twin of the default public URL (http://www.localhost:port), or the public URL itself
   * when that has no twin (an IP address). The client reaches `*.localhost` on loopback.
   */
  filesUrl: z.url().optional(),
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
  /** The origin model_url points at (the `www.` twin of `url` by default). */
  filesUrl: string;
  /** TEST-ONLY: the path a model's file downloads from (`/api/v1/models/{id}/download/{file}`), for faults. */
  downloadPath(modelId: number): string;
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

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
  });
  res.end(html);
}

function errorPage(res: ServerResponse, status: number, message: string) {
  sendHtml(
    res,
    status,
    `<!doctype html><meta charset="utf-8"><title>Authorization error</title><h1>Authorization error</h1><p>${escapeHtml(message)}</p>`,
  );
}

/** How GoTrue (the live token endpoint) words a refused grant. */
function goTrueRefusal(grantType: "authorization_code" | "refresh_token", description: string) {
  const errorCode =
    grantType === "authorization_code"
      ? "flow_state_not_found"
      : /reused/i.test(description)
        ? "refresh_token_already_used"
        : "refresh_token_not_found";
  return { code: 400, error_code: errorCode, msg: `Invalid Refresh Token: ${description}` };
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
  let filesUrl = options.filesUrl ?? "";

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
    if (p.get("deny") === "1")
      return redirect({ error: "access_denied", error_description: "The user denied access" });
    // `login_hint` picks the catalogue user (by username or id); the chooser page sets it.
    const hint = p.get("login_hint");
    let userId: string | false;
    if (hint) {
      const hinted = findCatalogUser(catalog, hint);
      if (!hinted) {
        if (options.chooser) return sendHtml(res, 200, chooserPage(catalog, url, `No user "${hint}" here.`));
        return redirect({ error: "access_denied", error_description: `No catalogue user "${hint}"` });
      }
      userId = hinted.id;
    } else if (options.chooser) {
      return sendHtml(res, 200, chooserPage(catalog, url));
    } else {
      userId = approvedUser;
    }
    if (userId === false)
      return redirect({ error: "access_denied", error_description: "The user denied access" });
    const code = oauth.createCode({ clientId, redirectUri, codeChallenge: challenge, userId });
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
    const body_ = parsed.data;
    const result =
      body_.grant_type === "authorization_code"
        ? oauth.exchangeCode({
            clientId: body_.client_id,
            code: body_.code,
            codeVerifier: body_.code_verifier,
            redirectUri: body_.redirect_uri,
          })
        : oauth.refresh({ clientId: body_.client_id, refreshToken: body_.refresh_token });
    const noStore = { "cache-control": "no-store", pragma: "no-cache" };
    if (!result.ok) {
      const body =
        result.error === "invalid_grant" && faults.grantRefusalStyle() === "gotrue"
          ? goTrueRefusal(body_.grant_type, result.description)
          : { error: result.error, error_description: result.description };
      return sendJson(res, result.status, body, noStore);
    }
    // The live answer: the pair and its lifetime, no token_type.
    return sendJson(
      res,
      200,
      { access_token: result.accessToken, refresh_token: result.refreshToken, expires_in: result.expiresIn },
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
      return { ...p, data: p.data.map((t) => toneListJson(catalog, t, base)) };
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
      const filtered = mine.filter((t): t is NonNullable<typeof t> => t !== undefined);
      return sendJson(res, 200, tones(filtered, q.page, q.page_size));
    }
    const toneMatch = /^\/api\/v1\/tones\/([^/]+)$/.exec(path);
    if (toneMatch) return sendJson(res, 200, toneDetailJson(catalog, toneFor(userId, toneMatch[1]!), base));
    if (path === "/api/v1/models") {
      const q = queryOf(ModelsQuery, url);
      const tone = toneFor(userId, String(q.tone_id));
      // Like the live API: A1 models (and IR files) unless asked for `2` or `custom`; no "all".
      const asked = q.architecture;
      const models = tone.models
        .map((m) => catalog.models.get(m.id)!)
        .filter((m) =>
          asked
            ? m.architecture_version !== null && asked.includes(m.architecture_version)
            : m.architecture_version === null || m.architecture_version === "1",
        );
      const p = paginate(models, q.page, q.page_size);
      return sendJson(res, 200, { ...p, data: p.data.map((m) => modelJson(m, filesUrl)) });
    }
    // The unnamed download path sends you to the named file on the files host.
    const unnamedDownload = /^\/api\/v1\/models\/([^/]+)\/download$/.exec(path);
    if (unnamedDownload) {
      const model = modelFor(userId, unnamedDownload[1]!);
      res.writeHead(302, { location: modelJson(model, filesUrl).model_url, "content-length": 0 });
      res.end();
      return;
    }
    const downloadMatch = /^\/api\/v1\/models\/([^/]+)\/download\/([^/]+)$/.exec(path);
    if (downloadMatch) {
      const model = modelFor(userId, downloadMatch[1]!);
      const fileName = modelFileName(model);
      if (decodeURIComponent(downloadMatch[2]!) !== fileName)
        throw new HttpError(404, { error: "File not found" });
      const tone = catalog.tones.get(model.tone_id)!;
      tone.downloads_count++;
      res.writeHead(200, {
        "content-type": fileName.endsWith(".wav") ? "audio/wav" : "application/octet-stream",
        "content-length": model.bytes,
        "content-disposition": `attachment; filename="${fileName}"`,
      });
      createReadStream(model.path).pipe(res);
      return;
    }
    const modelMatch = /^\/api\/v1\/models\/([^/]+)$/.exec(path);
    if (modelMatch) return sendJson(res, 200, modelJson(modelFor(userId, modelMatch[1]!), filesUrl));
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
  // On 127.0.0.1 the stand-in goes by `localhost`, so it has a `www.` twin like tone3000.com does.
  const host =
    address.address === "127.0.0.1"
      ? "localhost"
      : address.family === "IPv6"
        ? `[${address.address}]`
        : address.address;
  if (!base) base = `http://${host}:${address.port}`;
  if (!filesUrl) filesUrl = wwwTwinOrigin(new URL(base)) ?? new URL(base).origin;
  const url = base.replace(/\/+$/, "");

  return {
    url,
    faults,
    oauth,
    catalog,
    autoApprovedUser: approvedUser,
    filesUrl,
    downloadPath: (modelId) => {
      const model = catalog.models.get(modelId);
      if (!model) throw new Error(`stand-in: no model ${modelId}`);
      return new URL(modelJson(model, filesUrl).model_url).pathname;
    },
    registerClient: (client) => oauth.registerClient(client),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
