import { timingSafeEqual } from "node:crypto";
import type { DB } from "@shootout/db";
import {
  completeTone3000Login,
  createSession,
  invalidateSession,
  parseSessionToken,
  type Tone3000TokenStore,
} from "@shootout/router";
import {
  generateCodeVerifier,
  generateState,
  isTone3000Error,
  profileOfIssuedToken,
  type Tone3000OAuth,
  type Tone3000Tokens,
  type User,
} from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { z } from "zod";
import { parseCookies } from "../http/cookies.ts";
import { HttpError, sendJson } from "../http/errors.ts";
import { returnToSchema } from "../http/return-to.ts";
import { type SessionCookiePolicy, setSessionCookie } from "../http/session-cookie.ts";
import { sessionTokenOf } from "../http/session-token.ts";
import { appendSetCookies, serializeCookie } from "../http/set-cookie.ts";
import type { Route, RouteRequest } from "./route.ts";

export interface AuthRoutesDeps {
  readonly db: Kysely<DB>;
  /** Built with redirect URI `${publicUrl}/auth/callback`, exactly as registered at Tone 3000. */
  readonly oauth: Tone3000OAuth;
  /** Where users reach us (PUBLIC_URL, or http://HOST:PORT): the canonical host for the login. */
  readonly publicUrl: string;
  readonly tone3000BaseUrl: string;
  readonly tokens: Tone3000TokenStore;
  readonly sessionTtlMs: number;
  readonly cookies: SessionCookiePolicy;
  /** Origins whose cookie-carrying requests we trust (to find a session being replaced). */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly fetch?: typeof globalThis.fetch;
}

// The login's own short-lived cookies, sent back only to /auth/*.
const STATE_COOKIE = "t3k_oauth_state";
const VERIFIER_COOKIE = "t3k_oauth_verifier";
const NEXT_COOKIE = "t3k_oauth_next";
const LOGIN_COOKIE_PATH = "/auth";
const LOGIN_COOKIE_SECONDS = 10 * 60;

const loginQuery = z.object({
  returnTo: returnToSchema,
  /** `token`: finish by showing a session token once (for scripts), instead of a cookie. */
  mode: z.enum(["cookie", "token"]).default("cookie"),
  /**
   * Passed to Tone 3000 as `login_hint`: the account expected to sign in. The local stand-in signs
   * in that catalogue user (`?as=guest`), so two people can try sharing and privacy.
   */
  as: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}]*$/u, "no control characters")
    .optional(),
});

/** What the login remembers between /auth/login and /auth/callback, besides state and verifier. */
const nextStep = z.object({ returnTo: returnToSchema, mode: z.enum(["cookie", "token"]) });
type NextStep = z.infer<typeof nextStep>;

const callbackQuery = z.object({
  state: z.string().min(1).max(512).optional(),
  code: z.string().min(1).max(2048).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "query"}: ${issue.message}` : "invalid query";
}

/**
 * `GET /auth/login` and `GET /auth/callback`: the Tone 3000 OAuth login (authorization code +
 * PKCE S256 + state). The callback stores the user's Tone 3000 tokens encrypted and starts a new
 * session of ours: a cookie for browsers, or (`?mode=token`) a token shown once for scripts.
 */
export function authRoutes(deps: AuthRoutesDeps): Route[] {
  const publicUrl = new URL(deps.publicUrl);
  const secure = deps.cookies.secure;
  const loginCookie = (name: string, value: string) =>
    serializeCookie(name, value, { maxAgeSeconds: LOGIN_COOKIE_SECONDS, path: LOGIN_COOKIE_PATH, secure });
  const clearLoginCookies = () =>
    [STATE_COOKIE, VERIFIER_COOKIE, NEXT_COOKIE].map((name) =>
      serializeCookie(name, "", { maxAgeSeconds: 0, path: LOGIN_COOKIE_PATH, secure }),
    );

  function login({ req, res, url }: RouteRequest): void {
    // Cookies set on one host name are not sent to another: start on the host the callback uses.
    if (req.headers.host && req.headers.host !== publicUrl.host) {
      res.statusCode = 302;
      res.setHeader("location", new URL(`/auth/login${url.search}`, publicUrl).toString());
      res.setHeader("cache-control", "no-store");
      res.end();
      return;
    }
    const parsed = loginQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw new HttpError("BAD_REQUEST", firstIssue(parsed.error));
    const state = generateState();
    const verifier = generateCodeVerifier();
    appendSetCookies(res, [
      loginCookie(STATE_COOKIE, state),
      loginCookie(VERIFIER_COOKIE, verifier),
      loginCookie(
        NEXT_COOKIE,
        JSON.stringify({ returnTo: parsed.data.returnTo, mode: parsed.data.mode } satisfies NextStep),
      ),
    ]);
    const hint = parsed.data.as === undefined ? {} : { loginHint: parsed.data.as };
    res.statusCode = 302;
    res.setHeader("location", deps.oauth.createAuthorizationURL(state, verifier, hint).toString());
    res.setHeader("cache-control", "no-store");
    res.end();
  }

  async function exchange(code: string, verifier: string): Promise<Tone3000Tokens> {
    try {
      return await deps.oauth.validateAuthorizationCode(code, verifier);
    } catch (error) {
      if (isTone3000Error(error, "oauth")) {
        throw new HttpError(
          "BAD_REQUEST",
          `Tone 3000 refused the sign-in code (${error.code ?? "error"}: expired, already used or not ours); start again at /auth/login`,
        );
      }
      throw upstreamError(error);
    }
  }

  async function profile(accessToken: string): Promise<User> {
    try {
      return await profileOfIssuedToken({ baseUrl: deps.tone3000BaseUrl, accessToken, fetch: deps.fetch });
    } catch (error) {
      if (isTone3000Error(error, "oauth")) {
        throw new HttpError("BAD_REQUEST", `${error.message}; start again at /auth/login`);
      }
      throw upstreamError(error);
    }
  }

  async function callback(request: RouteRequest): Promise<void> {
    const { req, res, url } = request;
    const cookies = parseCookies(req.headers.cookie);
    // Whatever happens next, this login attempt is over: its cookies go.
    appendSetCookies(res, clearLoginCookies());

    const query = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) throw new HttpError("BAD_REQUEST", firstIssue(query.error));
    const { state, code, error } = query.data;
    const expectedState = cookies.get(STATE_COOKIE);
    const verifier = cookies.get(VERIFIER_COOKIE);
    if (!expectedState || !verifier) {
      throw new HttpError(
        "BAD_REQUEST",
        "this sign-in was not started here or took longer than 10 minutes; start again at /auth/login",
      );
    }
    if (!state || !sameSecret(state, expectedState)) {
      throw new HttpError("BAD_REQUEST", "sign-in state does not match; start again at /auth/login");
    }
    if (error) {
      throw new HttpError("BAD_REQUEST", `Tone 3000 sign-in did not complete: ${error}`);
    }
    if (!code) throw new HttpError("BAD_REQUEST", "Tone 3000 sent no authorization code");
    const next = parseNext(cookies.get(NEXT_COOKIE));

    const tokens = await exchange(code, verifier);
    const t3kUser = await profile(tokens.accessToken);
    // The browser's cookie is about to be overwritten: the session it held ends with it.
    const previous = sessionTokenOf(req, deps.allowedOrigins);
    const { token, session } = await deps.db.transaction().execute(async (trx) => {
      const user = await completeTone3000Login(trx, deps.tokens, tokens, t3kUser);
      const replaced = previous ? parseSessionToken(previous) : null;
      if (replaced && next.mode === "cookie") await invalidateSession(trx, replaced.id);
      return createSession(trx, user.id, {
        ttlMs: deps.sessionTtlMs,
        userAgent: req.headers["user-agent"] ?? null,
        ip: request.ip,
      });
    });
    request.log.info({ userId: session.userId, sessionId: session.id, mode: next.mode }, "signed in");

    res.setHeader("cache-control", "no-store");
    if (next.mode === "token") {
      sendJson(res, 200, {
        token,
        expiresAt: session.expiresAt.toISOString(),
        usage: "send it as `Authorization: Bearer <token>`; it is shown only once",
      });
      return;
    }
    appendSetCookies(res, [setSessionCookie(deps.cookies, token, deps.sessionTtlMs / 1000)]);
    res.statusCode = 302;
    res.setHeader("location", next.returnTo);
    res.end();
  }

  return [
    { method: "GET", path: "/auth/login", handle: login },
    { method: "GET", path: "/auth/callback", handle: callback },
  ];
}

function parseNext(raw: string | undefined): z.infer<typeof nextStep> {
  if (!raw) return { returnTo: "/", mode: "cookie" };
  try {
    const parsed = nextStep.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // Tampered with: fall through to the refusal.
  }
  throw new HttpError("BAD_REQUEST", "sign-in cookie is damaged; start again at /auth/login");
}

function upstreamError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (isTone3000Error(error, "rate_limited")) {
    return new HttpError("TOO_MANY_REQUESTS", "Tone 3000 is rate limiting sign-ins; try again shortly");
  }
  if (isTone3000Error(error)) {
    return new HttpError(
      "SERVICE_UNAVAILABLE",
      `Tone 3000 could not complete the sign-in (${error.kind}); try again`,
    );
  }
  return error;
}
