import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./errors.ts";
import { ForeignCookieError, type RequestSessionDeps, requestSession } from "./request-session.ts";

export type AuthDeps = RequestSessionDeps;

/** The signed-in user of a plain route's request, or null (signed out); 403 for a foreign cookie. */
export async function currentUser(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AuthDeps,
): Promise<{ id: string } | null> {
  const { auth } = await requestSession(req, res, deps).catch((error: unknown) => {
    throw error instanceof ForeignCookieError ? new HttpError("FORBIDDEN", error.message) : error;
  });
  return auth?.user ?? null;
}

/** The signed-in user of a plain route's request, or a 401. */
export async function requireUser(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AuthDeps,
): Promise<{ id: string }> {
  const user = await currentUser(req, res, deps);
  if (!user) {
    throw new HttpError("UNAUTHORIZED", "sign in first", { "www-authenticate": 'Bearer realm="shootout"' });
  }
  return user;
}
