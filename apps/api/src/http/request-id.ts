import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

// A caller-supplied id is kept only when it is short and plain: it ends up in every log line.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the caller's `x-request-id` when sane, otherwise a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  const value = Array.isArray(given) ? given[0] : given;
  return value && ACCEPTABLE.test(value) ? value : randomUUID();
}
