export { type EmbeddedDeps, type EmbeddedServices, startEmbeddedServices } from "./embedded.ts";
export { HttpError, type HttpErrorCode, sendError, sendJson } from "./http/errors.ts";
export { SESSION_COOKIE, sessionTokenOf } from "./http/session-token.ts";
export { type ApiLimits, limitsFromEnv } from "./limits.ts";
export { createLogger, type Logger } from "./logger.ts";
export { createRateLimiter, type RateLimiter } from "./rate-limiter.ts";
export type { HttpMethod, Route, RouteRequest } from "./routes/route.ts";
export { type ApiServer, type ApiServerOptions, createApiServer } from "./server.ts";
export { type IngestUploadInput, ingestUpload, UploadRejectedError } from "./uploads/ingest-upload.ts";
