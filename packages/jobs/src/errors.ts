/** A job operation refused for a reason the caller can act on; the router maps `code` to tRPC. */
export class JobError extends Error {
  readonly code: "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED";
  constructor(code: JobError["code"], message: string) {
    super(message);
    this.name = "JobError";
    this.code = code;
  }
}
