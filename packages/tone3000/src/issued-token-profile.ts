import { createTone3000Client } from "./client.ts";
import { Tone3000Error } from "./errors.ts";
import type { User } from "./schemas.ts";

/**
 * The last step of a sign-in: the profile (`/user`) of the account a token was just issued for.
 * Nothing is refreshed: a token refused at once means the sign-in failed, an `oauth` error.
 * Shared by the API's /auth/callback and the CLI's headless login.
 */
export function profileOfIssuedToken(options: {
  baseUrl: string;
  accessToken: string;
  fetch?: typeof globalThis.fetch | undefined;
}): Promise<User> {
  return createTone3000Client({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    tokens: {
      getAccessToken: async () => options.accessToken,
      refresh: () =>
        Promise.reject(
          new Tone3000Error({ kind: "oauth", message: "Tone 3000 refused the token it just issued" }),
        ),
    },
  }).getUser();
}
