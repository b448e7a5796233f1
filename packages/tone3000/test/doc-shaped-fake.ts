import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

// A second fake of Tone 3000, built only from the official documentation (github.com/tone-3000/api:
// README's endpoint list, src/types.ts, the reference client's token handling): every Tone carries
// the fields types.ts lists (no per-architecture counts: the docs have none), Models carry
// `architecture_version` and a `model_url` ending in the file's extension, pages are
// {data, page, page_size, total, total_pages}, the token endpoint answers access_token,
// refresh_token and expires_in only, errors are {"error": ...}. What the docs leave open (which
// models `/models` lists without `architecture`) is answered the widest way: all of them.
// Kept apart from the stand-in on purpose: the contract test runs our client against both.

const catalogFile = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../catalog/${name}`, import.meta.url)));

interface DocModel {
  id: number;
  tone_id: number;
  name: string;
  size: string;
  architecture_version: string;
  file: string;
}

const USER = { id: "9b1c2d3e-0000-4000-8000-000000000001", username: "docs_player", avatar_url: null };

const TONES = [
  {
    id: 42,
    title: "Docs Plexi",
    gear: "amp",
    format: "nam",
    license: "t3k",
    sizes: ["standard"],
    models: [
      {
        id: 420,
        name: "Plexi A1",
        size: "standard",
        architecture_version: "1",
        file: "models/wavenet_a1_standard.nam",
      },
      {
        id: 421,
        name: "Plexi A2",
        size: "standard",
        architecture_version: "2",
        file: "models/a2_nam_core_example.nam",
      },
      {
        id: 422,
        name: "Plexi LSTM",
        size: "custom",
        architecture_version: "custom",
        file: "models/lstm.nam",
      },
    ],
  },
  {
    id: 43,
    title: "Docs Cab IRs",
    gear: "cab",
    format: "ir",
    license: "cc-by",
    sizes: ["standard"],
    models: [
      // types.ts gives every model an architecture; an IR is told apart by its file.
      { id: 430, name: "Cab IR", size: "standard", architecture_version: "1", file: "irs/eminence.wav" },
    ],
  },
] as const;

export interface DocShapedFake {
  url: string;
  /** Query strings the fake saw, by path. */
  queries: Map<string, URLSearchParams[]>;
  /** A refresh token the fake will honour once (rotation, like Tone 3000). */
  issueRefreshToken(): string;
  close(): Promise<void>;
}

export async function startDocShapedFake(): Promise<DocShapedFake> {
  const access = new Set<string>();
  const refresh = new Set<string>();
  const queries = new Map<string, URLSearchParams[]>();
  let port = 0;
  const base = () => `http://localhost:${port}`;
  const files = () => `http://www.localhost:${port}`;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const page = <T>(items: readonly T[], q: URLSearchParams) => {
    const p = Number(q.get("page") ?? 1);
    const size = Number(q.get("page_size") ?? 10);
    return {
      data: items.slice((p - 1) * size, p * size),
      page: p,
      page_size: size,
      total: items.length,
      total_pages: Math.ceil(items.length / size),
    };
  };
  const toneJson = (tone: (typeof TONES)[number]) => ({
    id: tone.id,
    user_id: USER.id,
    user: { ...USER, url: `${base()}/${USER.username}` },
    created_at: "2026-01-25T18:27:37.799064+00:00",
    updated_at: "2026-01-25T18:27:37.799064+00:00",
    title: tone.title,
    description: null,
    gear: tone.gear,
    images: null,
    is_public: true,
    links: null,
    format: tone.format,
    license: tone.license,
    sizes: tone.sizes,
    makes: [],
    tags: [],
    models_count: tone.models.length,
    downloads_count: 0,
    favorites_count: 0,
    url: `${base()}/tones/${tone.id}`,
  });
  const modelJson = (model: DocModel) => ({
    id: model.id,
    created_at: "2026-01-29T12:19:44.3+00:00",
    updated_at: "2026-01-29T12:19:44.3+00:00",
    user_id: USER.id,
    model_url: `${files()}/api/v1/models/${model.id}/download/${model.file.split("/").pop()}`,
    name: model.name,
    size: model.size,
    architecture_version: model.architecture_version,
    tone_id: model.tone_id,
  });
  const allModels = (): DocModel[] => TONES.flatMap((t) => t.models.map((m) => ({ ...m, tone_id: t.id })));

  async function token(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const body = new URLSearchParams(raw);
    const presented = body.get("refresh_token");
    if (body.get("grant_type") !== "refresh_token" || !presented || !refresh.delete(presented)) {
      return json(res, 400, { error: "invalid_grant" });
    }
    const at = `doc_at_${randomBytes(12).toString("hex")}`;
    const rt = `doc_rt_${randomBytes(12).toString("hex")}`;
    access.add(at);
    refresh.add(rt);
    return json(res, 200, { access_token: at, refresh_token: rt, expires_in: 3600 });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base());
    const list = queries.get(url.pathname) ?? [];
    list.push(url.searchParams);
    queries.set(url.pathname, list);
    if (url.pathname === "/api/v1/oauth/token" && req.method === "POST") {
      token(req, res).catch(() => json(res, 500, { error: "server_error" }));
      return;
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!bearer || !access.has(bearer)) return json(res, 401, { error: "Unauthorized" });
    const q = url.searchParams;
    if (url.pathname === "/api/v1/user") {
      return json(res, 200, {
        ...USER,
        url: `${base()}/${USER.username}`,
        bio: null,
        links: null,
        created_at: "2024-01-01T00:00:00+00:00",
        updated_at: "2024-01-01T00:00:00+00:00",
      });
    }
    if (url.pathname === "/api/v1/tones/search") return json(res, 200, page(TONES.map(toneJson), q));
    if (url.pathname === "/api/v1/tones/favorited") return json(res, 200, page(TONES.map(toneJson), q));
    if (url.pathname === "/api/v1/tones/created") return json(res, 200, page([], q));
    const tone = /^\/api\/v1\/tones\/(\d+)$/.exec(url.pathname);
    if (tone) {
      const found = TONES.find((t) => t.id === Number(tone[1]));
      return found ? json(res, 200, toneJson(found)) : json(res, 404, { error: "Tone not found" });
    }
    if (url.pathname === "/api/v1/models") {
      const architecture = q.get("architecture");
      const models = allModels().filter(
        (m) =>
          m.tone_id === Number(q.get("tone_id")) &&
          (!architecture || m.architecture_version === architecture),
      );
      return json(res, 200, page(models.map(modelJson), q));
    }
    const download = /^\/api\/v1\/models\/(\d+)\/download\/[^/]+$/.exec(url.pathname);
    if (download) {
      const model = allModels().find((m) => m.id === Number(download[1]));
      if (!model) return json(res, 404, { error: "Model not found" });
      const bytes = catalogFile(model.file);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
      res.end(bytes);
      return;
    }
    return json(res, 404, { error: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: base(),
    queries,
    issueRefreshToken() {
      const rt = `doc_rt_${randomBytes(12).toString("hex")}`;
      refresh.add(rt);
      return rt;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
