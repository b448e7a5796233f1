export { type EmbeddedDeps, type EmbeddedServices, startEmbeddedServices } from "./embedded.ts";
export { HttpError, type HttpErrorCode, sendError, sendJson } from "./http/errors.ts";
export { SESSION_COOKIE, sessionTokenOf } from "./http/session-token.ts";
export { type ApiLimits, limitsFromEnv } from "./limits.ts";
export { createLogger, type Logger } from "./logger.ts";
export { createRateLimiter, type RateLimiter } from "./rate-limiter.ts";
export type { HttpMethod, Route, RouteRequest } from "./routes/route.ts";
export { DEFAULT_WEB_DIST_DIR, webAppRoutes } from "./routes/web-app-routes.ts";
export { type ApiServer, type ApiServerOptions, createApiServer } from "./server.ts";
export { createSharedRateLimiter, type SharedRateLimiter } from "./shared-rate-limiter.ts";
export { STAND_IN_STATE_FILE, standInStateFile } from "./tone3000/stand-in-state.ts";
export { type ResolvedTokenKey, resolveTokenKey, TOKEN_KEY_FILE } from "./tone3000/token-key.ts";
export {
  defaultPublicUrl,
  startTone3000Services,
  type Tone3000Services,
  type Tone3000ServicesOptions,
} from "./tone3000/tone3000-services.ts";
export { type IngestUploadInput, ingestUpload, UploadRejectedError } from "./uploads/ingest-upload.ts";
