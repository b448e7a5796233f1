import { type Logger, pino } from "pino";

/**
 * The CLI's own logger for what runs in-process (database, queue, worker): to stderr, so stdout
 * carries only the command's output, and quiet by default: errors only (LOG_LEVEL raises it). The
 * command reports what a user needs itself (a refused render, a failed download); the worker and
 * queue running inside it would only repeat that as JSON.
 */
export function createCliLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.LOG_LEVEL?.trim() || "error";
  return pino(
    { level, base: { service: "cli" }, serializers: { err: pino.stdSerializers.errWithCause } },
    pino.destination({ fd: 2, sync: true }),
  );
}
