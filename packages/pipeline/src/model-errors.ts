import { isAudioError } from "@shootout/audio";
import { ConfigError } from "@shootout/config";
import { RenderError } from "@shootout/jobs";
import { Tone3000FileInvalidError, Tone3000SignInRequiredError } from "@shootout/router";
import { isTone3000Error } from "@shootout/tone3000";
import { z } from "zod";

/** Why a model could not be had, in words for the user; and whether trying later may help. */
export function describeModelFailure(error: unknown): { reason: string; retryable: boolean } {
  if (error instanceof Tone3000SignInRequiredError) {
    return { reason: "Tone 3000 access is missing or expired: sign in again", retryable: false };
  }
  if (error instanceof ConfigError) {
    return { reason: `this worker is not set up for Tone 3000 (${error.message})`, retryable: false };
  }
  if (error instanceof Tone3000FileInvalidError) return { reason: error.message, retryable: false };
  if (error instanceof z.ZodError)
    return { reason: "the tone's model id is not a Tone 3000 model id", retryable: false };
  if (isAudioError(error)) return { reason: `not a usable .nam model (${error.message})`, retryable: false };
  if (isTone3000Error(error)) {
    switch (error.kind) {
      case "not_found":
        return { reason: "the model does not exist on Tone 3000 (404)", retryable: false };
      case "rate_limited":
        return { reason: "rate limited by Tone 3000", retryable: false };
      case "unauthorized":
      case "oauth":
        return { reason: "Tone 3000 refused the owner's access: sign in again", retryable: false };
      case "forbidden":
        return { reason: "the model is private on Tone 3000", retryable: false };
      case "malformed":
        return { reason: "the downloaded file is not a valid .nam model", retryable: false };
      case "too_large":
        return { reason: "the model file is too large", retryable: false };
      case "timeout":
      case "network":
        return { reason: "Tone 3000 could not be reached", retryable: true };
      case "aborted":
        return { reason: "the download was stopped", retryable: false };
      default:
        return {
          reason: `Tone 3000 answered ${error.status ?? "an error"}`,
          retryable: (error.status ?? 0) >= 500,
        };
    }
  }
  return { reason: "unexpected error", retryable: true };
}

/** "Tone 2 'JCM800': model download failed: rate limited by Tone 3000" ("IR download" for a cabinet). */
export function modelDownloadError(
  index: number,
  displayName: string,
  error: unknown,
  what: "model" | "IR" = "model",
): RenderError {
  const { reason, retryable } = describeModelFailure(error);
  return new RenderError(`Tone ${index + 1} '${displayName}': ${what} download failed: ${reason}`, {
    retryable,
    cause: error,
  });
}
