import { type Logger, pino } from "pino";

/**
 * The CLI's own logger for what runs in-process (database, queue, worker): to stderr, so stdout
 * carries only the command's output, and quiet by default (LOG_LEVEL raises it).
 */
export function createCliLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.LOG_LEVEL?.trim() || "warn";
  return pino({ level, base: { service: "cli" } }, pino.destination({ fd: 2, sync: true }));
}
