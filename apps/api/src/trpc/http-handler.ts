import type { IncomingMessage, ServerResponse } from "node:http";
import { internalErrorMessage } from "@shootout/router";
import { type AnyTRPCRouter, type inferRouterContext, TRPCError } from "@trpc/server";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import {
  type HTTPErrorHandler,
  type ResponseMetaFn,
  resolveResponse,
  type TRPCRequestInfo,
} from "@trpc/server/http";
import { appendSetCookies } from "../http/set-cookie.ts";

export interface TrpcHttpHandlerOptions<TRouter extends AnyTRPCRouter> {
  readonly router: TRouter;
  /** Where tRPC is mounted, e.g. `/trpc`. */
  readonly basePath: string;
  readonly maxBodySize: number;
  readonly maxBatchSize: number;
  createContext(opts: {
    req: IncomingMessage;
    res: ServerResponse;
    info: TRPCRequestInfo;
  }): inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  readonly onError?: HTTPErrorHandler<TRouter, IncomingMessage>;
  readonly responseMeta?: ResponseMetaFn<TRouter>;
}

// Methods a web Request refuses to stand for (new Request throws): no tRPC call can use them.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * A request no web Request can stand for, so tRPC never sees it: an empty or malformed Host (no
 * URL can be built) or a TRACE. The client's mistake (400, or 405 for the method), answered in
 * tRPC's error shape; it used to reach the catch-all as a 500.
 */
function refuseUnreadable(req: IncomingMessage, res: ServerResponse): void {
  const method = (req.method ?? "").toUpperCase();
  const [status, code, rpcCode, message] = FORBIDDEN_METHODS.has(method)
    ? [405, "METHOD_NOT_SUPPORTED", -32005, `${method} is not supported`]
    : [400, "BAD_REQUEST", -32600, "the request's URL or Host header cannot be read"];
  const body = JSON.stringify({ error: { message, code: rpcCode, data: { code, httpStatus: status } } });
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(body));
  // Its body is not read: the connection goes with the answer.
  res.setHeader("connection", "close");
  res.end(body);
}

/** The procedure path(s) of a request target: `/trpc/a.b,c.d?batch=1` → `a.b,c.d`. */
function procedurePath(target: string, basePath: string): string {
  const query = target.indexOf("?");
  const pathname = query < 0 ? target : target.slice(0, query);
  return pathname.slice(basePath.length).replace(/^\/+|\/+$/g, "");
}

/**
 * tRPC over node:http, like `createHTTPHandler`, except that a complete (non-streamed) answer is
 * sent in one `end()` with a Content-Length, instead of being piped through a web
 * WritableStream as a chunked body: measurably less CPU per call on the hot path (see
 * `pnpm bench:api`). Streamed answers (httpBatchStreamLink, SSE) are piped as they come.
 */
export function createTrpcHttpHandler<TRouter extends AnyTRPCRouter>(
  options: TrpcHttpHandlerOptions<TRouter>,
): (req: IncomingMessage, res: ServerResponse) => void {
  /**
   * A batch over the limit is too large a request (413, like a body over maxBodySize), answered
   * through tRPC's error formatter; tRPC itself would call it a 400.
   */
  const batchTooLarge = (target: string, path: string): TRPCError | null => {
    const calls = path.split(",").length;
    if (calls <= options.maxBatchSize || !/[?&]batch=1(&|$)/.test(target)) return null;
    return new TRPCError({
      code: "PAYLOAD_TOO_LARGE",
      message: `a batch may hold at most ${options.maxBatchSize} calls; this one has ${calls}`,
    });
  };

  return (req, res) => {
    const path = procedurePath(req.url ?? "", options.basePath);
    handle(req, res, path).catch(() => {
      // resolveResponse answers every tRPC error itself; this is a failure while writing.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = 500;
      res.setHeader("content-type", "application/json");
      const requestId = res.getHeader("x-request-id");
      res.end(
        JSON.stringify({
          error: {
            message: internalErrorMessage(typeof requestId === "string" ? requestId : null),
            code: -32603,
            data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
          },
        }),
      );
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let request: Request;
    try {
      request = incomingMessageToRequest(req, res, { maxBodySize: options.maxBodySize });
    } catch {
      refuseUnreadable(req, res);
      return;
    }
    const response = await resolveResponse<TRouter>({
      router: options.router,
      req: request,
      path,
      error: batchTooLarge(req.url ?? "", path),
      // No maxBatchSize here: batchTooLarge has checked it (tRPC would answer 400 before our 413).
      ...(options.responseMeta ? { responseMeta: options.responseMeta } : {}),
      createContext: async ({ info }) => options.createContext({ req, res, info }),
      onError: (o) => options.onError?.({ ...o, req }),
    });

    if (res.statusCode === 200) res.statusCode = response.status;
    for (const [key, value] of response.headers) {
      if (key !== "set-cookie") res.setHeader(key, value);
    }
    // Added to any the context set (a renewed session cookie); a later one of a name wins.
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) appendSetCookies(res, cookies);

    const streamed =
      response.headers.get("transfer-encoding") === "chunked" ||
      (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
    if (!response.body || !streamed) {
      // A complete tRPC answer is JSON text: reading it as text costs about half of arrayBuffer().
      const body = await response.text();
      res.removeHeader("transfer-encoding");
      res.setHeader("content-length", Buffer.byteLength(body));
      res.end(body);
      return;
    }
    try {
      // The request's signal aborts when the client goes away; tRPC then cancels the stream.
      for await (const chunk of response.body) {
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off("drain", done);
              res.off("close", done);
              resolve();
            };
            res.once("drain", done);
            res.once("close", done);
          });
        }
        if (res.destroyed) break;
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError") && !res.destroyed) throw error;
    } finally {
      res.end();
    }
  }
}
