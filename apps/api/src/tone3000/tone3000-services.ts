import { ConfigError, type Env } from "@shootout/config";
import type { DB } from "@shootout/db";
import {
  createTone3000ClientFactory,
  createTone3000TokenStore,
  type Tone3000ClientFactory,
  type Tone3000TokenStore,
} from "@shootout/router";
import {
  createTone3000OAuth,
  createTone3000StandIn,
  DEFAULT_STAND_IN_CLIENT,
  type Tone3000OAuth,
  type Tone3000StandIn,
  type Tone3000StandInOptions,
} from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { allowedOriginsFrom } from "../http/cors.ts";
import { sessionCookiePolicy } from "../http/session-cookie.ts";
import type { Logger } from "../logger.ts";
import { authRoutes } from "../routes/auth-routes.ts";
import type { Route } from "../routes/route.ts";
import { standInStateFile } from "./stand-in-state.ts";
import { resolveTokenKey } from "./token-key.ts";

export interface Tone3000Services {
  /** Tone 3000's base URL (the stand-in's when it runs in-process). */
  readonly baseUrl: string;
  readonly clientId: string;
  /** `${publicUrl}/auth/callback`, exactly as registered. */
  readonly redirectUri: string;
  /** For the router's context: an API client per user, over their stored tokens. */
  readonly tone3000: Tone3000ClientFactory;
  /** Users' Tone 3000 tokens, encrypted in the users table (what /auth/callback saves into). */
  readonly tokens: Tone3000TokenStore;
  /** The OAuth client, with redirect URI `redirectUri`. */
  readonly oauth: Tone3000OAuth;
  /** `/auth/login`, `/auth/callback`. */
  readonly routes: Route[];
  /** The in-process stand-in, when TONE3000_BASE_URL is unset. */
  readonly standIn: Tone3000StandIn | null;
  close(): Promise<void>;
}

export interface Tone3000ServicesOptions {
  readonly env: Env;
  readonly db: Kysely<DB>;
  readonly log: Logger;
  /** Overrides PUBLIC_URL / http://HOST:PORT (tests that listen on port 0 know it only later). */
  readonly publicUrl?: string;
  /**
   * Extra options for the in-process stand-in (tests). Its `stateFile` defaults to
   * `tone3000-stand-in.json` beside the PGlite directory in embedded mode (see stand-in-state.ts).
   */
  readonly standIn?: Omit<Tone3000StandInOptions, "port" | "host" | "clients">;
}

/** Where users reach the API when PUBLIC_URL is not set. */
export function defaultPublicUrl(env: Env): string {
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT}`;
}

/**
 * Tone 3000 for the API: OAuth login routes, the token store, the per-user client factory. With
 * TONE3000_BASE_URL unset, the bundled stand-in runs in-process on a free 127.0.0.1 port and
 * auto-approves its local user, so login works offline.
 */
export async function startTone3000Services(options: Tone3000ServicesOptions): Promise<Tone3000Services> {
  const { env, db, log } = options;
  const publicUrl = (options.publicUrl ?? env.PUBLIC_URL ?? defaultPublicUrl(env)).replace(/\/+$/, "");
  const redirectUri = `${publicUrl}/auth/callback`;
  const key = resolveTokenKey(env);
  if (typeof key.source === "object") {
    log.info(
      { file: key.source.file, created: key.source.created },
      "Tone 3000 token key kept beside the database",
    );
  }

  let standIn: Tone3000StandIn | null = null;
  let baseUrl: string;
  let clientId: string;
  if (env.TONE3000_BASE_URL) {
    if (!env.TONE3000_CLIENT_ID) {
      throw new ConfigError([
        "TONE3000_CLIENT_ID: required with TONE3000_BASE_URL (your app's publishable key)",
      ]);
    }
    baseUrl = env.TONE3000_BASE_URL;
    clientId = env.TONE3000_CLIENT_ID;
  } else {
    clientId = env.TONE3000_CLIENT_ID ?? DEFAULT_STAND_IN_CLIENT.clientId;
    const stateFile = options.standIn?.stateFile ?? standInStateFile(env);
    standIn = await createTone3000StandIn({
      ...options.standIn,
      stateFile,
      port: 0,
      host: "127.0.0.1",
      clients: [{ clientId, redirectUris: [redirectUri] }],
    });
    baseUrl = standIn.url;
    log.info({ url: baseUrl, redirectUri, stateFile }, "Tone 3000 stand-in started in-process");
    if (env.DATABASE_URL) {
      log.warn(
        "TONE3000_BASE_URL unset with DATABASE_URL: workers in other processes cannot reach this stand-in",
      );
    }
    if (env.PORT === 0 && !options.publicUrl && !env.PUBLIC_URL) {
      log.warn("PORT=0 without PUBLIC_URL: the login's redirect URI cannot name the real port");
    }
  }

  const oauth = createTone3000OAuth({ baseUrl, clientId, redirectUri });
  const tokens = createTone3000TokenStore({
    db,
    cipher: key.cipher,
    refresh: (rt) => oauth.refreshAccessToken(rt),
  });
  const routes = authRoutes({
    db,
    oauth,
    publicUrl,
    tone3000BaseUrl: baseUrl,
    tokens,
    sessionTtlMs: env.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000,
    cookies: sessionCookiePolicy(publicUrl),
    allowedOrigins: allowedOriginsFrom(env.WEB_ORIGINS, env.PUBLIC_URL),
  });

  return {
    baseUrl,
    clientId,
    redirectUri,
    tone3000: createTone3000ClientFactory({ baseUrl, tokens }),
    tokens,
    oauth,
    routes,
    standIn,
    async close() {
      await standIn?.close();
    },
  };
}
