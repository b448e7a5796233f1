import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "./api-types.ts";

/** What a form shows for a failed call: a message for the form, and messages beside fields. */
export interface ShownError {
  readonly message: string;
  /** Top-level input field → its problems (from the error formatter's flattened zod issues). */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** tRPC code (UNAUTHORIZED, BAD_REQUEST…) or the HTTP route's code; null when unknown. */
  readonly code: string | null;
}

/** The `{ error: { code, message } }` body of a plain HTTP route (uploads, downloads). */
export class HttpRouteError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "HttpRouteError";
    this.status = status;
    this.code = code;
  }
}

function isRouterError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export function toShownError(error: unknown): ShownError {
  if (isRouterError(error)) {
    const zod = error.data?.zodError ?? null;
    const fields: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(zod?.fieldErrors ?? {})) {
      if (messages && messages.length > 0) fields[field] = messages;
    }
    const formErrors = zod?.formErrors ?? [];
    const code = error.data?.code ?? null;
    // A validation failure's own message is a JSON dump of the issues: say it in words instead.
    const message =
      formErrors.length > 0
        ? formErrors.join("; ")
        : zod
          ? "Some fields need attention."
          : code === "UNAUTHORIZED"
            ? "You are signed out. Sign in again to continue."
            : error.message;
    return { message, fields, code };
  }
  if (error instanceof HttpRouteError) return { message: error.message, fields: {}, code: error.code };
  if (error instanceof Error) return { message: error.message, fields: {}, code: null };
  return { message: String(error), fields: {}, code: null };
}
