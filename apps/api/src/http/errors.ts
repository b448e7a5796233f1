import type { ServerResponse } from "node:http";

/** Error codes of plain (non-tRPC) routes; clients switch on these, never on messages. */
export type HttpErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RANGE_NOT_SATISFIABLE"
  | "UNPROCESSABLE_CONTENT"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR";

const STATUS: Record<HttpErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** Thrown by plain route handlers; the route table turns it into `{ error: { code, message } }`. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** More for the answer's `error` object: only what a client may see (a stack only under SHOOTOUT_DEBUG). */
  readonly details: Readonly<Record<string, string>>;
  constructor(
    code: HttpErrorCode,
    message: string,
    headers: Record<string, string> = {},
    details: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.code = code;
    this.status = STATUS[code];
    this.headers = headers;
    this.details = details;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(payload));
  res.end(payload);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    // Too late for a JSON answer: cut the connection so the client sees a failure, not a short body.
    res.destroy(error);
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, { error: { code: error.code, message: error.message, ...error.details } });
}

/** Seconds a client is told to wait (Retry-After) while the database is away: a restart's length. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The answer while the database is restarting or out of reach: 503, try again shortly. */
export function databaseUnavailable(): HttpError {
  return new HttpError(
    "SERVICE_UNAVAILABLE",
    "The database is unavailable right now; try again in a few seconds.",
    { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}
