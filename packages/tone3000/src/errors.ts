import type { z } from "zod";

/** What went wrong, coarse enough to switch on. */
export type Tone3000ErrorKind =
  | "http"
  | "rate_limited"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "malformed"
  | "timeout"
  | "too_large"
  | "aborted"
  | "network"
  | "oauth"
  | "invalid_url";

export interface Tone3000ErrorInit {
  kind: Tone3000ErrorKind;
  message: string;
  status?: number | undefined;
  url?: string | undefined;
  /** OAuth error code (`invalid_grant`, …) or the API's `error` field. */
  code?: string | undefined;
  /** For `rate_limited`: what the last 429 asked us to wait, in ms. */
  retryAfterMs?: number | undefined;
  /** For `malformed`: the dotted paths of the fields that failed validation. */
  fields?: string[] | undefined;
  cause?: unknown;
}

/** Every failure of this package's client and OAuth helpers. */
export class Tone3000Error extends Error {
  override readonly name = "Tone3000Error";
  readonly kind: Tone3000ErrorKind;
  readonly status: number | undefined;
  readonly url: string | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly fields: string[];

  constructor(init: Tone3000ErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.url = init.url;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    this.fields = init.fields ?? [];
  }
}

export function isTone3000Error(value: unknown, kind?: Tone3000ErrorKind): value is Tone3000Error {
  return value instanceof Tone3000Error && (kind === undefined || value.kind === kind);
}

/** Paths like `data.3.user.username` so a log line says which field broke. */
export function zodIssuePaths(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length === 0 ? "(root)" : issue.path.join(".")));
}

export function malformedFromZod(
  error: z.ZodError,
  what: string,
  url?: string,
  status?: number,
): Tone3000Error {
  const fields = zodIssuePaths(error);
  const details = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? "(root)" : issue.path.join(".")}: ${issue.message}`)
    .join("; ");
  return new Tone3000Error({
    kind: "malformed",
    message: `Malformed ${what}${url ? ` from ${url}` : ""}: ${details}`,
    status,
    url,
    fields,
    cause: error,
  });
}
