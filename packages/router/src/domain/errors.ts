/**
 * Errors domain functions throw. They know nothing of tRPC so the API's plain HTTP routes (uploads,
 * downloads) can call the same functions; the router maps them to tRPC codes in one place.
 */
export class DomainError extends Error {
  readonly code: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST" | "PRECONDITION_FAILED";
  constructor(code: DomainError["code"], message: string) {
    super(message);
    this.name = "DomainError";
    this.code = code;
  }
}

/** Missing, or someone else's: the two are indistinguishable on purpose (no existence leaks). */
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super("CONFLICT", message);
    this.name = "ConflictError";
  }
}

/**
 * An input that passed its schema but refers to something the caller may not use (a file that is
 * not theirs, or of the wrong kind). `path` names the field, as a zod issue path would.
 */
export class InvalidReferenceError extends DomainError {
  readonly path: (string | number)[];
  constructor(path: (string | number)[], message: string) {
    super("BAD_REQUEST", `${path.join(".")}: ${message}`);
    this.name = "InvalidReferenceError";
    this.path = path;
  }
}
