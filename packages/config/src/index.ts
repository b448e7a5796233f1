export { ConfigError, DEFAULT_MAX_DI_SECONDS, type Env, envSchema, loadEnv, MIN_DI_SECONDS } from "./env.ts";
