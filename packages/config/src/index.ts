export {
  ConfigError,
  DEFAULT_MAX_DI_SECONDS,
  debugEnabled,
  type Env,
  envSchema,
  loadEnv,
  MIN_DI_SECONDS,
} from "./env.ts";
