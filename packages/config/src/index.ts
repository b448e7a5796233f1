export { ConfigError, DEFAULT_MAX_DI_SECONDS, type Env, envSchema, loadEnv } from "./env.ts";
