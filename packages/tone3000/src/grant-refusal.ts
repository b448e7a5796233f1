import { isTone3000Error, type Tone3000Error } from "./errors.ts";
import { GoTrueErrorBody, OAuthErrorBody } from "./schemas.ts";

// The token endpoint refuses a grant (a spent, expired or revoked refresh token, a bad code) in
// one of two styles: RFC 6749's `{"error":"invalid_grant"}`, or GoTrue's
// `{"code":400,"error_code":"refresh_token_not_found","msg":"..."}`. Both mean the same thing to
// us: the stored grant is dead and only a new sign-in helps. Both become code "invalid_grant".

/** GoTrue codes that say our request was wrong, not that the user's grant is dead. */
const OUR_REQUEST_WAS_WRONG = new Set([
  "validation_failed",
  "bad_json",
  "unexpected_failure",
  "request_timeout",
]);

export interface GrantRefusal {
  code: "invalid_grant";
  /** What Tone 3000 said: `invalid_grant`, `refresh_token_not_found`, ... */
  upstreamCode: string;
  description: string | undefined;
}

/** The refusal in a token endpoint's error answer, or null when it is something else. */
export function grantRefusalOf(status: number, body: unknown): GrantRefusal | null {
  if (status !== 400 && status !== 401) return null;
  const rfc = OAuthErrorBody.safeParse(body);
  if (rfc.success) {
    return rfc.data.error === "invalid_grant"
      ? { code: "invalid_grant", upstreamCode: "invalid_grant", description: rfc.data.error_description }
      : null;
  }
  const goTrue = GoTrueErrorBody.safeParse(body);
  if (goTrue.success && !OUR_REQUEST_WAS_WRONG.has(goTrue.data.error_code)) {
    return {
      code: "invalid_grant",
      upstreamCode: goTrue.data.error_code,
      description: goTrue.data.msg ?? goTrue.data.message,
    };
  }
  return null;
}

/** Whether `error` is Tone 3000 refusing the user's grant (either style): sign in again. */
export function isGrantRefusal(error: unknown): error is Tone3000Error {
  return isTone3000Error(error, "oauth") && error.code === "invalid_grant";
}
