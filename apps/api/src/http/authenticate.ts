import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./errors.ts";
import { ForeignCookieError, type RequestSessionDeps, requestSession } from "./request-session.ts";

export type AuthDeps = RequestSessionDeps;

/** The signed-in user of a plain route's request, or a 401. */
export async function requireUser(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AuthDeps,
): Promise<{ id: string }> {
  const auth = await requestSession(req, res, deps).catch((error: unknown) => {
    throw error instanceof ForeignCookieError ? new HttpError("FORBIDDEN", error.message) : error;
  });
  if (!auth) {
    throw new HttpError("UNAUTHORIZED", "sign in first", { "www-authenticate": 'Bearer realm="shootout"' });
  }
  return auth.user;
}
