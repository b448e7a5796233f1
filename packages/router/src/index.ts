import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./routers/app.ts";

export {
  type Context,
  type CreateContextOptions,
  createContextInner,
  type RenderCapabilities,
  type Tone3000ClientFactory,
} from "./context.ts";
export { ConflictError, DomainError, InvalidReferenceError, NotFoundError } from "./domain/errors.ts";
export {
  deleteOwnedFile,
  type FileRow,
  getOwnedFile,
  getReadableFile,
  listOwnedFiles,
  recordUploadedFile,
  toFileOutput,
} from "./domain/files.ts";
export { decodeCursor, encodeCursor } from "./domain/pagination.ts";
export {
  architectureLabel,
  architectureSupport,
  RENDERABLE_ARCHITECTURES,
} from "./domain/renderable-architectures.ts";
export {
  createSession,
  DEFAULT_SESSION_TTL_MS,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  parseSessionToken,
  revokeUserSession,
  type Session,
  type SessionValidationResult,
  validateSessionToken,
} from "./domain/sessions.ts";
export { createTone3000ClientFactory, type Tone3000ClientFactoryOptions } from "./domain/tone3000-clients.ts";
export {
  fetchTone3000File,
  IR_ARCHITECTURE,
  MAX_IR_BYTES,
  MAX_MODEL_BYTES,
  type Tone3000File,
  Tone3000FileInvalidError,
  type Tone3000FileKind,
  tone3000ModelIdSchema,
} from "./domain/tone3000-files.ts";
export { completeTone3000Login, type Tone3000LoginProfile } from "./domain/tone3000-login.ts";
export {
  createTone3000TokenStore,
  DEFAULT_REFRESH_BEFORE_MS,
  type Tone3000SignInReason,
  Tone3000SignInRequiredError,
  type Tone3000TokenSet,
  type Tone3000TokenStore,
  type Tone3000TokenStoreOptions,
} from "./domain/tone3000-tokens.ts";
export {
  getPublicUser,
  type PublicUser,
  type Tone3000Profile,
  upsertUserByTone3000Id,
} from "./domain/users.ts";
export { CallSetupError, internalErrorMessage, requestIdOf } from "./error-shape.ts";
export { type AppRouter, appRouter, createCaller } from "./routers/app.ts";
export * from "./schemas/auth.ts";
export * from "./schemas/common.ts";
export * from "./schemas/effects.ts";
export * from "./schemas/files.ts";
export * from "./schemas/jobs.ts";
export * from "./schemas/shootouts.ts";
export * from "./schemas/tones.ts";
export {
  createCallerFactory,
  protectedProcedure,
  publicProcedure,
  router,
  SSE_KEEP_ALIVE,
  type ZodErrorData,
} from "./trpc.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
