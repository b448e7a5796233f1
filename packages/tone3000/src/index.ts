export { generateCodeVerifier, generateState } from "arctic";
export {
  createTokenCipher,
  generateTokenCipherKey,
  type TokenCipher,
  TokenCipherError,
  type TokenCipherErrorReason,
} from "./cipher.ts";
export {
  createTone3000Client,
  type DownloadedFile,
  type DownloadedModel,
  type DownloadOptions,
  type LibraryParams,
  type ListAllModelsOptions,
  type ListModelsParams,
  type PageParams,
  type RequestOptions,
  type SearchTonesParams,
  type TokenSource,
  type Tone3000Client,
  type Tone3000ClientOptions,
} from "./client.ts";
export { isTone3000Error, Tone3000Error, type Tone3000ErrorKind } from "./errors.ts";
export { type GrantRefusal, grantRefusalOf, isGrantRefusal } from "./grant-refusal.ts";
export { profileOfIssuedToken } from "./issued-token-profile.ts";
export { localhostFetch } from "./localhost-fetch.ts";
export {
  type AuthorizeOptions,
  createTone3000OAuth,
  type Tone3000OAuth,
  type Tone3000OAuthConfig,
  type Tone3000Tokens,
} from "./oauth.ts";
export { type AllPagesOptions, allPages } from "./pagination.ts";
export { backoffDelay, parseRetryAfter } from "./retry.ts";
export * from "./schemas.ts";
export type { FaultInjector, FaultRecord, FaultSpec, GrantRefusalStyle } from "./stand-in/faults.ts";
export type { RegisteredClient } from "./stand-in/oauth-store.ts";
export {
  createTone3000StandIn,
  DEFAULT_STAND_IN_CLIENT,
  type Tone3000StandIn,
  type Tone3000StandInOptions,
} from "./stand-in/server.ts";
export { type OAuthState as StandInState, StandInStateError } from "./stand-in/state-file.ts";
export { type ModelListing, modelListingsOf } from "./tone-model-listings.ts";
export { type Tone3000Hosts, tone3000Hosts, wwwTwinOrigin } from "./tone3000-hosts.ts";
