import { connect } from "node:net";

export interface RawRequest {
  /** Sent as is: any token, lower case, or nonsense. */
  readonly method: string;
  /** The request target as is (not encoded for you). */
  readonly target: string;
  /** Header lines in order, duplicates allowed; Host and Connection are added unless given. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Uint8Array | string;
}

export interface RawResponse {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The head and body as latin1 text, for the leak checks. */
  readonly text: string;
  readonly body: Buffer;
}

const TIMEOUT_MS = 15_000;

/**
 * One HTTP/1.1 request written byte for byte on a fresh socket (so it can say what no HTTP
 * client would: bad lengths, duplicate headers, unknown methods), answered with
 * `Connection: close` and read to the end (or for `cutAfterMs`). Only the first answer is parsed.
 */
export function rawRequest(baseUrl: string, request: RawRequest, cutAfterMs?: number): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers = [...(request.headers ?? [])];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has("host")) headers.unshift(["Host", `${hostname}:${port}`]);
  if (!has("connection")) headers.push(["Connection", "close"]);
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  const body = typeof request.body === "string" ? Buffer.from(request.body) : Buffer.from(request.body ?? []);

  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no answer within ${TIMEOUT_MS} ms to ${request.method} ${request.target.slice(0, 80)}`),
      );
    }, TIMEOUT_MS);
    socket.on("connect", () => {
      socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
      // A stream that does not end by itself (SSE): what came so far is the answer.
      if (cutAfterMs !== undefined) setTimeout(() => socket.destroy(), cutAfterMs);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // A server that answers before reading the whole body may reset the connection: what it
    // said before that still counts.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: {}, text: raw.toString("latin1"), body: Buffer.alloc(0) };
  const lines = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") body = dechunk(body);
  else if (headers["content-length"] !== undefined)
    body = body.subarray(0, Number(headers["content-length"]));
  return { status, headers, text: raw.toString("latin1"), body };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Starts an upload and cuts the connection mid-body: the head (declaring `declaredBytes`, or
 * chunked), then `sentBytes` of `body`, then a reset. Resolves once the socket is gone.
 */
export function abortedUpload(
  baseUrl: string,
  request: {
    target: string;
    token: string;
    body: Uint8Array;
    sentBytes: number;
    chunked: boolean;
    declaredBytes: number;
  },
): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const length = request.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${request.declaredBytes}`;
  const head = `POST ${request.target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${request.token}\r\n${length}\r\n\r\n`;
  const part = Buffer.from(request.body.subarray(0, request.sentBytes));
  const payload =
    request.chunked && part.length
      ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")])
      : part;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.on("error", () => {});
    socket.on("close", () => resolve());
    socket.on("connect", () => {
      socket.write(head);
      if (payload.length) socket.write(payload);
      // Long enough for the server to have started streaming the body into storage.
      setTimeout(() => socket.resetAndDestroy(), 40);
    });
  });
}
