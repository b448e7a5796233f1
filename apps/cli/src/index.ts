export type { Backend } from "./backend/backend.ts";
export { type FileConfig, fileConfigSchema, fileToneSchema } from "./config/file-config-schema.ts";
export { type LoadedConfig, loadConfig } from "./config/load-config.ts";
