/** What an S3 call's failure is, read from the SDK's error (service errors carry a name and a status). */
export interface S3Failure {
  readonly name: string;
  readonly status: number | undefined;
  readonly message: string;
}

export function s3FailureOf(error: unknown): S3Failure {
  const e = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = typeof e?.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  // Network errors name themselves by code (ECONNREFUSED, ENOTFOUND, ...); service errors by name.
  const name = typeof e?.code === "string" ? e.code : typeof e?.name === "string" ? e.name : "Error";
  const message = typeof e?.message === "string" ? e.message.split("\n")[0]! : String(error);
  return { name, status, message };
}

/** A missing object: GetObject answers NoSuchKey, HeadObject (no body) a bare 404. */
export function isS3NotFound(error: unknown): boolean {
  const { name, status } = s3FailureOf(error);
  return name === "NoSuchKey" || name === "NotFound" || status === 404;
}

/**
 * One line saying why a bucket cannot be used, naming where it was looked for: what a process
 * prints when it stops at start (a wrong endpoint, bucket or credentials).
 */
export function describeS3Problem(error: unknown, where: { endpoint: string; bucket: string }): string {
  const { name, status, message } = s3FailureOf(error);
  const at = `the S3 bucket "${where.bucket}" at ${where.endpoint}`;
  if (name === "NoSuchBucket" || (status === 404 && name !== "NoSuchKey")) return `${at} does not exist`;
  if (
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch" ||
    name === "AccessDenied" ||
    name === "InvalidToken" ||
    name === "ExpiredToken" ||
    name === "CredentialsProviderError" ||
    status === 401 ||
    status === 403
  ) {
    return `${at} refuses the credentials (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY): ${name}: ${message}`;
  }
  if (name === "AuthorizationHeaderMalformed" || name === "PermanentRedirect" || status === 301) {
    return `${at} is in another region than S3_REGION: ${name}: ${message}`;
  }
  if (
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|TimeoutError)$/.test(
      name,
    )
  ) {
    return `the S3 endpoint ${where.endpoint} cannot be reached: ${name}: ${message}`;
  }
  return `${at} cannot be written: ${name}${status ? ` (HTTP ${status})` : ""}: ${message}`;
}
