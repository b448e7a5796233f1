/**
 * The database could not be reached or dropped the connection mid-way (a restart, a failover, a
 * network cut): nothing is wrong with the request, and the same call succeeds once the database is
 * back. Callers answer 503 (the API) or try again after a pause (the worker); never a 500.
 */
export class DatabaseUnavailableError extends Error {
  readonly retryable = true;
  constructor(cause: unknown) {
    super(`the database is unavailable: ${messageOf(cause)}`, { cause });
    this.name = "DatabaseUnavailableError";
  }
}

// Socket-level failures: the server is not there, or went away.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// SQLSTATEs of a server that is shutting down, starting up or out of connection slots.
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown (pg_terminate_backend, a fast restart)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, in recovery)
  "53300", // too_many_connections
]);

// What pg and pg-pool say when a connection broke without an error code of its own.
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /server closed the connection unexpectedly/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isConnectionFailureItself(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // Class 08: connection exception (08000, 08003, 08006, 08001…).
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    // Any other SQLSTATE is the server answering: a real error of the query.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether `error` (or one of its causes, or of an AggregateError's errors: a connect that tried
 * IPv4 and IPv6) says the database connection failed rather than the query.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || next === undefined || seen.has(next)) continue;
    seen.add(next);
    if (next instanceof DatabaseUnavailableError || isConnectionFailureItself(next)) return true;
    if (typeof next === "object") {
      stack.push((next as { cause?: unknown }).cause);
      if (next instanceof AggregateError) stack.push(...next.errors);
    }
  }
  return false;
}

/** `error` as a DatabaseUnavailableError when it is a connection failure, else unchanged. */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  return isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
}
