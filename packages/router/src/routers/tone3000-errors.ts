import { isGrantRefusal, Tone3000Error } from "@shootout/tone3000";
import { TRPCError } from "@trpc/server";
import { Tone3000SignInRequiredError } from "../domain/tone3000-tokens.ts";

type Code = TRPCError["code"];

// Upstream failures, in words a client can show. Tone 3000's own messages (with its URLs) go to
// the log through `cause`, not to the caller.
const BY_KIND: Record<Tone3000Error["kind"], { code: Code; message: string }> = {
  rate_limited: { code: "TOO_MANY_REQUESTS", message: "Tone 3000 is rate limiting us; try again shortly" },
  not_found: { code: "NOT_FOUND", message: "not found on Tone 3000" },
  forbidden: { code: "FORBIDDEN", message: "Tone 3000 does not let this account see that" },
  unauthorized: {
    code: "UNAUTHORIZED",
    message: "Tone 3000 refused this account's access: sign in to Tone 3000 again",
  },
  oauth: {
    code: "UNAUTHORIZED",
    message: "Tone 3000 refused to renew this account's access: sign in to Tone 3000 again",
  },
  bad_request: { code: "BAD_REQUEST", message: "Tone 3000 refused the request" },
  malformed: { code: "BAD_GATEWAY", message: "Tone 3000 answered with something we could not read" },
  http: { code: "BAD_GATEWAY", message: "Tone 3000 answered with an error" },
  network: { code: "BAD_GATEWAY", message: "Tone 3000 could not be reached" },
  timeout: { code: "GATEWAY_TIMEOUT", message: "Tone 3000 took too long to answer" },
  too_large: { code: "BAD_GATEWAY", message: "Tone 3000 sent more than we accept" },
  aborted: { code: "CLIENT_CLOSED_REQUEST", message: "the request was cancelled" },
  invalid_url: { code: "BAD_GATEWAY", message: "Tone 3000 pointed us at a URL we do not follow" },
};

/** A tRPC error for a Tone 3000 failure, or null when `cause` is something else. */
export function tone3000ToTRPCError(cause: unknown): TRPCError | null {
  if (cause instanceof Tone3000SignInRequiredError) {
    return new TRPCError({ code: "UNAUTHORIZED", message: cause.message, cause });
  }
  if (cause instanceof Tone3000Error) {
    const mapped = BY_KIND[cause.kind];
    // invalid_client and friends are our configuration, not the user's grant.
    if (cause.kind === "oauth" && !isGrantRefusal(cause)) {
      return new TRPCError({
        code: "INTERNAL_SERVER_ERROR",
        message: "Tone 3000 login is misconfigured",
        cause,
      });
    }
    const wait =
      cause.kind === "rate_limited" && cause.retryAfterMs
        ? ` (in ${Math.ceil(cause.retryAfterMs / 1000)} s)`
        : "";
    return new TRPCError({ code: mapped.code, message: `${mapped.message}${wait}`, cause });
  }
  return null;
}
