import pino, { type Logger } from "pino";

export type { Logger };

/** Header and field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "connectionParams.token",
  "token",
  "*.token",
];

/** The process logger: JSON lines on stdout, secrets censored. */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "api" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Causes nested as they are: the default folds every cause's message into the top one,
      // repeating what an error that quotes its cause already says.
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
