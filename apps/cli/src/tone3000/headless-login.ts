import type { Tone3000Services } from "@shootout/api";
import type { DB } from "@shootout/db";
import { completeTone3000Login, type PublicUser } from "@shootout/router";
import {
  generateCodeVerifier,
  generateState,
  isTone3000Error,
  profileOfIssuedToken,
  type Tone3000Tokens,
  type User,
} from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { CliFailure } from "../cli-errors.ts";

/** Where a browser-less login cannot go on: a real Tone 3000 wants a person at its login page. */
export function browserNeeded(baseUrl: string, why: string): CliFailure {
  return new CliFailure(
    `Tone 3000 at ${baseUrl} ${why}: it needs a browser. Sign in once through the web app, or use --api with a token`,
  );
}

/**
 * The Tone 3000 login without a browser, for a Tone 3000 that approves without asking (the
 * bundled stand-in approves its local player): the authorize redirect is read instead of followed
 * (PKCE S256, state checked), the code exchanged with the package's OAuth client, the profile
 * read with the new token, then `completeTone3000Login` — what the API's /auth/callback does:
 * our user found or created by Tone 3000 id, the tokens stored encrypted for them.
 */
export async function headlessTone3000Login(services: Tone3000Services, db: Kysely<DB>): Promise<PublicUser> {
  const { baseUrl, oauth, redirectUri } = services;
  const state = generateState();
  const verifier = generateCodeVerifier();
  let answer: Response;
  try {
    answer = await fetch(oauth.createAuthorizationURL(state, verifier), {
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new CliFailure(`could not reach Tone 3000 at ${baseUrl}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await answer.body?.cancel();
  const location = answer.headers.get("location");
  if (answer.status < 300 || answer.status > 399 || !location) {
    throw browserNeeded(baseUrl, `answered the authorize request with HTTP ${answer.status}, not a redirect`);
  }
  const back = new URL(location, oauth.authorizationEndpoint);
  if (`${back.origin}${back.pathname}` !== redirectUri) {
    throw browserNeeded(baseUrl, `sent the login to ${back.origin}${back.pathname}`);
  }
  const error = back.searchParams.get("error");
  if (error) {
    const description = back.searchParams.get("error_description");
    throw new CliFailure(
      `Tone 3000 at ${baseUrl} refused the login: ${error}${description ? ` (${description})` : ""}`,
    );
  }
  const code = back.searchParams.get("code");
  if (back.searchParams.get("state") !== state || !code) {
    throw new CliFailure(`Tone 3000 at ${baseUrl} came back without a code for this login`);
  }

  let tokens: Tone3000Tokens;
  let profile: User;
  try {
    tokens = await oauth.validateAuthorizationCode(code, verifier);
    profile = await profileOfIssuedToken({ baseUrl, accessToken: tokens.accessToken });
  } catch (failure) {
    if (isTone3000Error(failure)) {
      throw new CliFailure(`Tone 3000 at ${baseUrl} did not complete the login: ${failure.message}`, {
        cause: failure,
      });
    }
    throw failure;
  }
  return completeTone3000Login(db, services.tokens, tokens, profile);
}
