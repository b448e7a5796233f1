import { createHash } from "node:crypto";
import type { z } from "zod";
import { malformedFromZod, Tone3000Error, type Tone3000ErrorKind } from "./errors.ts";
import { localhostFetch } from "./localhost-fetch.ts";
import { type AllPagesOptions, allPages } from "./pagination.ts";
import { backoffDelay, parseRetryAfter, sleep } from "./retry.ts";
import {
  ApiErrorBody,
  type Architecture,
  type Format,
  type Gear,
  Model,
  NamFileShape,
  Page,
  type Size,
  Tone,
  type ToneSort,
  User,
} from "./schemas.ts";
import { type ModelListing, modelListingsOf } from "./tone-model-listings.ts";
import { tone3000Hosts } from "./tone3000-hosts.ts";

/** Implemented by the caller over its token store; rotated tokens are the caller's to persist. */
export interface TokenSource {
  getAccessToken(): Promise<string>;
  /** Called once after a 401; must return a fresh access token (or throw). */
  refresh(): Promise<string>;
}

export interface Tone3000ClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  fetch?: typeof globalThis.fetch;
  /** Per attempt, including reading the body. Default 15 s. */
  timeoutMs?: number;
  /** Retries after a 429. Default 3. */
  maxRetries?: number;
  /** Backoff base when a 429 carries no usable Retry-After. Default 500 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait we accept; a longer Retry-After fails at once as `rate_limited`. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Default size cap for downloads. Default 64 MiB. */
  maxDownloadBytes?: number;
  /** Redirects followed per request. Default 5. */
  maxRedirects?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface PageParams {
  page?: number;
  /** 1..25 (the API answers 400 above 25). */
  pageSize?: number;
}

export interface SearchTonesParams extends PageParams {
  query?: string;
  sort?: ToneSort;
  gears?: Gear[];
  format?: Format;
  sizes?: Size[];
  architecture?: Architecture;
  tags?: string[];
  makes?: string[];
  /** Usernames. */
  creators?: string[];
}

/** `favorited` and `created` take only paging (the API ignores anything else). */
export type LibraryParams = PageParams;

export interface ListModelsParams extends PageParams {
  toneId: number;
  /** Unset: what the API lists by default, which is A1 models (and IR files) only. */
  architecture?: Architecture;
}

export interface ListAllModelsOptions extends RequestOptions {
  /** Pages walked per architecture at most (25 models each). Default 20. */
  maxPagesPerListing?: number;
}

export interface DownloadOptions extends RequestOptions {
  maxBytes?: number;
}

export interface DownloadedFile {
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
  size: number;
  contentType: string | null;
  url: string;
}

export interface DownloadedModel extends DownloadedFile {
  /** The parsed `.nam` JSON (lightly checked: architecture, config, weights). */
  nam: NamFileShape;
}

export interface Tone3000Client {
  getUser(options?: RequestOptions): Promise<User>;
  searchTones(params?: SearchTonesParams, options?: RequestOptions): Promise<Page<Tone>>;
  createdTones(params?: LibraryParams, options?: RequestOptions): Promise<Page<Tone>>;
  favoritedTones(params?: LibraryParams, options?: RequestOptions): Promise<Page<Tone>>;
  getTone(id: number, options?: RequestOptions): Promise<Tone>;
  listModels(params: ListModelsParams, options?: RequestOptions): Promise<Page<Model>>;
  /**
   * Every model of a tone: `/models` lists one architecture at a time (A1 unless asked for `2` or
   * `custom`), so this asks for each listing the tone's counts say it has (all of them when the
   * counts are missing), walks their pages and merges them, each model once, in listing order.
   */
  listAllModels(tone: Pick<Tone, "id"> & Partial<Tone>, options?: ListAllModelsOptions): Promise<Model[]>;
  getModel(id: number, options?: RequestOptions): Promise<Model>;
  /**
   * Any file a model_url names (`.nam`, IR `.wav`), streamed under a size cap. The Bearer token
   * goes only to Tone 3000's hosts (the base origin and its `www.` twin); redirects are followed
   * by hand, each hop checked, and once one leaves those hosts the token stays behind.
   */
  downloadFile(target: Pick<Model, "model_url"> | string, options?: DownloadOptions): Promise<DownloadedFile>;
  /** A `.nam` model: like downloadFile, and the bytes must be JSON shaped like a NAM model. */
  downloadModel(
    target: Pick<Model, "model_url"> | string,
    options?: DownloadOptions,
  ): Promise<DownloadedModel>;
  allPages<T>(
    fetchPage: (page: number) => Promise<Page<T>>,
    options?: AllPagesOptions,
  ): AsyncGenerator<T, void, undefined>;
}

const ToneSchema = Tone;
const TonePage = Page(Tone);
const ModelPage = Page(Model);

export function createTone3000Client(options: Tone3000ClientOptions): Tone3000Client {
  const base = new URL(options.baseUrl);
  const hosts = tone3000Hosts(base);
  const doFetch = options.fetch ?? localhostFetch;
  const maxRedirects = options.maxRedirects ?? 5;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRetries = options.maxRetries ?? 3;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const maxDownloadBytes = options.maxDownloadBytes ?? 64 * 1024 * 1024;

  function apiUrl(path: string, query?: Record<string, string | number | undefined>): URL {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
    }
    return url;
  }

  /**
   * One hop chain: redirects followed by hand (never by fetch, which would carry the token
   * anywhere), at most `maxRedirects`. The token goes with a hop only while every hop so far was
   * Tone 3000's: a chain that left once (signed storage URLs need no token) never gets it back.
   */
  async function fetchFollowing(start: URL, token: string | undefined, signal: AbortSignal, accept: string) {
    let url = start;
    let onHost = hosts.owns(url);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { accept };
      if (onHost && token !== undefined) headers.authorization = `Bearer ${token}`;
      const response = await doFetch(url, { headers, signal, redirect: "manual" });
      if (!REDIRECT_STATUSES.has(response.status)) return { response, url, sentToken: onHost };
      const location = response.headers.get("location");
      await discard(response);
      if (!location) {
        throw new Tone3000Error({
          kind: "http",
          status: response.status,
          url: url.toString(),
          message: `Tone 3000 answered HTTP ${response.status} for ${url} without a Location`,
        });
      }
      if (hop >= maxRedirects) {
        throw new Tone3000Error({
          kind: "http",
          status: response.status,
          url: url.toString(),
          message: `More than ${maxRedirects} redirects from ${start}`,
        });
      }
      const next = new URL(location, url);
      if (next.protocol !== "https:" && !(next.protocol === "http:" && url.protocol === "http:")) {
        throw new Tone3000Error({
          kind: "invalid_url",
          url: next.toString(),
          message: `Refusing a redirect from ${url.origin} to ${next.protocol}//${next.host}`,
        });
      }
      onHost = onHost && hosts.owns(next);
      url = next;
    }
  }

  /**
   * One logical request: handles 401 (refresh once, retry once) and 429 (Retry-After, then
   * backoff, capped). Returns an ok response whose body is still bound to `signal`.
   */
  async function send(url: URL, callerSignal: AbortSignal | undefined, accept: string) {
    let refreshed = false;
    let rateLimitedAttempts = 0;
    // A URL off Tone 3000's hosts gets no token, so none is read (nor refreshed) for it.
    let token = hosts.owns(url) ? await options.tokens.getAccessToken() : undefined;
    for (;;) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
      let answer: Awaited<ReturnType<typeof fetchFollowing>>;
      try {
        answer = await fetchFollowing(url, token, signal, accept);
      } catch (error) {
        throw abortOrNetworkError(error, url, callerSignal, timeout);
      }
      const { response } = answer;
      const context = { signal, callerSignal, timeout, finalUrl: answer.url };
      if (response.ok) return { response, ...context };

      if (response.status === 401 && answer.sentToken && !refreshed) {
        await discard(response);
        refreshed = true;
        token = await options.tokens.refresh();
        continue;
      }
      if (response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        await discard(response);
        const delay =
          retryAfterMs ??
          backoffDelay(rateLimitedAttempts, { baseDelayMs: retryBaseDelayMs, maxDelayMs: maxRetryDelayMs });
        if (rateLimitedAttempts >= maxRetries || delay > maxRetryDelayMs) {
          throw new Tone3000Error({
            kind: "rate_limited",
            status: 429,
            url: url.toString(),
            retryAfterMs: delay,
            message: `Tone 3000 rate limit: still 429 after ${rateLimitedAttempts} retries (asked to wait ${delay} ms)`,
          });
        }
        rateLimitedAttempts++;
        try {
          await sleep(delay, callerSignal);
        } catch (error) {
          throw abortOrNetworkError(error, url, callerSignal, undefined);
        }
        continue;
      }
      throw await errorFromResponse(response, answer.url);
    }
  }

  async function getJson<S extends z.ZodType>(
    url: URL,
    schema: S,
    what: string,
    opts?: RequestOptions,
  ): Promise<z.output<S>> {
    const { response, callerSignal, timeout } = await send(url, opts?.signal, "application/json");
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw abortOrNetworkError(error, url, callerSignal, timeout);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Tone3000Error({
        kind: "malformed",
        status: response.status,
        url: url.toString(),
        message: `${what} from ${url} is not JSON`,
        cause: error,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw malformedFromZod(parsed.error, what, url.toString(), response.status);
    return parsed.data;
  }

  async function downloadFile(
    target: Pick<Model, "model_url"> | string,
    opts: DownloadOptions = {},
  ): Promise<DownloadedFile> {
    const raw = typeof target === "string" ? target : target.model_url;
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch (error) {
      throw new Tone3000Error({ kind: "invalid_url", url: raw, message: `Not a URL: ${raw}`, cause: error });
    }
    // A model_url off Tone 3000's hosts is fetched like an off-host redirect: without the token.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && base.protocol === "http:")) {
      throw new Tone3000Error({
        kind: "invalid_url",
        url: url.toString(),
        message: `Refusing to download from ${url.protocol}//${url.host}`,
      });
    }
    const maxBytes = opts.maxBytes ?? maxDownloadBytes;
    const { response, callerSignal, timeout, finalUrl } = await send(url, opts.signal, "*/*");
    const tooLarge = (seen: string) =>
      new Tone3000Error({
        kind: "too_large",
        status: response.status,
        url: url.toString(),
        message: `Download from ${url} is larger than ${maxBytes} bytes (${seen})`,
      });

    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await discard(response);
      throw tooLarge(`Content-Length ${declared}`);
    }
    const hash = createHash("sha256");
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel().catch(() => {});
            throw tooLarge(`more than ${maxBytes} bytes received`);
          }
          hash.update(value);
          chunks.push(value);
        }
      } catch (error) {
        if (error instanceof Tone3000Error) throw error;
        throw abortOrNetworkError(error, url, callerSignal, timeout);
      } finally {
        reader.releaseLock();
      }
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return {
      bytes,
      sha256: hash.digest("hex"),
      size,
      contentType: response.headers.get("content-type"),
      url: finalUrl.toString(),
    };
  }

  async function downloadModel(
    target: Pick<Model, "model_url"> | string,
    opts: DownloadOptions = {},
  ): Promise<DownloadedModel> {
    const file = await downloadFile(target, opts);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(file.bytes));
    } catch (error) {
      throw new Tone3000Error({
        kind: "malformed",
        url: file.url,
        message: `Model at ${file.url} is not a .nam file (not JSON)`,
        cause: error,
      });
    }
    const parsed = NamFileShape.safeParse(json);
    if (!parsed.success) throw malformedFromZod(parsed.error, ".nam model", file.url);
    return { ...file, nam: parsed.data };
  }

  function listModels(params: ListModelsParams, opts?: RequestOptions) {
    return getJson(
      apiUrl("/api/v1/models", {
        tone_id: params.toneId,
        ...page(params),
        architecture: params.architecture,
      }),
      ModelPage,
      "models page",
      opts,
    );
  }

  async function listAllModels(
    tone: Pick<Tone, "id"> & Partial<Tone>,
    opts: ListAllModelsOptions = {},
  ): Promise<Model[]> {
    const seen = new Map<number, Model>();
    for (const listing of modelListingsOf(tone)) {
      const pages = allPages(
        (p) => listModels({ toneId: tone.id, page: p, pageSize: 25, ...listingParam(listing) }, opts),
        { maxPages: opts.maxPagesPerListing ?? 20 },
      );
      for await (const model of pages) if (!seen.has(model.id)) seen.set(model.id, model);
    }
    return [...seen.values()];
  }

  const page = (p?: PageParams) => ({ page: p?.page, page_size: p?.pageSize });
  const joined = (values: readonly string[] | undefined, separator: string) =>
    values && values.length > 0 ? values.join(separator) : undefined;

  return {
    getUser: (opts) => getJson(apiUrl("/api/v1/user"), User, "user", opts),
    searchTones: (params = {}, opts) =>
      getJson(
        apiUrl("/api/v1/tones/search", {
          ...page(params),
          query: params.query,
          sort: params.sort,
          // Multi-valued filters are underscore-separated, except usernames (which may hold one).
          gears: joined(params.gears, "_"),
          format: params.format,
          sizes: joined(params.sizes, "_"),
          architecture: params.architecture,
          tags: joined(params.tags, "_"),
          makes: joined(params.makes, "_"),
          creators: joined(params.creators, ","),
        }),
        TonePage,
        "tone search page",
        opts,
      ),
    createdTones: (params = {}, opts) =>
      getJson(apiUrl("/api/v1/tones/created", page(params)), TonePage, "created tones page", opts),
    favoritedTones: (params = {}, opts) =>
      getJson(apiUrl("/api/v1/tones/favorited", page(params)), TonePage, "favorited tones page", opts),
    getTone: (id, opts) =>
      getJson(apiUrl(`/api/v1/tones/${encodeURIComponent(String(id))}`), ToneSchema, "tone", opts),
    listModels,
    listAllModels,
    getModel: (id, opts) =>
      getJson(apiUrl(`/api/v1/models/${encodeURIComponent(String(id))}`), Model, "model", opts),
    downloadFile,
    downloadModel,
    allPages: (fetchPage, allOptions) => allPages(fetchPage, allOptions),
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function listingParam(listing: ModelListing): { architecture?: Architecture } {
  return listing === "default" ? {} : { architecture: listing };
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

function abortOrNetworkError(
  error: unknown,
  url: URL,
  callerSignal: AbortSignal | undefined,
  timeout: AbortSignal | undefined,
): Tone3000Error {
  if (error instanceof Tone3000Error) return error;
  if (callerSignal?.aborted) {
    return new Tone3000Error({
      kind: "aborted",
      url: url.toString(),
      message: `Request to ${url} was aborted`,
      cause: error,
    });
  }
  if (timeout?.aborted) {
    return new Tone3000Error({
      kind: "timeout",
      url: url.toString(),
      message: `Request to ${url} timed out`,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new Tone3000Error({
    kind: "network",
    url: url.toString(),
    message: `Request to ${url} failed: ${message}`,
    cause: error,
  });
}

const STATUS_KINDS: Record<number, Tone3000ErrorKind> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "too_large",
  429: "rate_limited",
};

async function errorFromResponse(response: Response, url: URL): Promise<Tone3000Error> {
  let detail: string | undefined;
  let code: string | undefined;
  try {
    const text = await response.text();
    const parsed = ApiErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.error;
      detail = parsed.data.message ?? parsed.data.error_description ?? parsed.data.error;
    }
  } catch {
    // A non-JSON error page: the status says enough.
  }
  return new Tone3000Error({
    kind: STATUS_KINDS[response.status] ?? "http",
    status: response.status,
    url: url.toString(),
    code,
    message: `Tone 3000 answered HTTP ${response.status} for ${url}${detail ? `: ${detail}` : ""}`,
  });
}
