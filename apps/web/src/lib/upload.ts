import { HttpRouteError } from "./errors.ts";

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** What the upload route answers that the client needs (the row carries more). */
export interface UploadedFile {
  readonly id: string;
  readonly name: string;
}

function isUploadedFile(value: unknown): value is UploadedFile {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof Reflect.get(value, "id") === "string" &&
    typeof Reflect.get(value, "name") === "string"
  );
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "error" in value;
}

/**
 * `POST /files?kind=…&name=…` with the file as the raw body (the API streams it to storage).
 * Resolves to the stored file's row; rejects with the route's own message (413, 415, 401…).
 */
export async function uploadFile(file: File, kind: "di" | "ir"): Promise<UploadedFile> {
  const query = new URLSearchParams({ kind, name: file.name || `${kind}.wav` });
  const response = await fetch(`/files?${query}`, {
    method: "POST",
    body: file,
    credentials: "same-origin",
    headers: { "content-type": file.type || "application/octet-stream" },
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = isErrorBody(body) ? body.error : undefined;
    const message =
      typeof error?.message === "string" ? error.message : `upload failed (HTTP ${response.status})`;
    throw new HttpRouteError(response.status, typeof error?.code === "string" ? error.code : "HTTP", message);
  }
  if (!isUploadedFile(body)) throw new Error("the upload was stored but the answer was unreadable");
  return { id: body.id, name: body.name };
}
