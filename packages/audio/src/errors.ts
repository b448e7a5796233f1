/**
 * Every failure this package reports on purpose is an AudioError with a stable `code`, so callers
 * (the worker, the upload route) can map it to a user-facing message without parsing text.
 */
export type AudioErrorCode =
  | "UNSUPPORTED_FORMAT"
  | "MALFORMED_AUDIO"
  | "FFMPEG_UNAVAILABLE"
  | "FFMPEG_FAILED"
  | "INVALID_NAM"
  | "UNSUPPORTED_VERSION"
  | "UNSUPPORTED_ARCHITECTURE"
  | "UNSUPPORTED_ACTIVATION"
  | "INVALID_ARGUMENT"
  | "INVALID_EFFECT"
  | "ABORTED";

export class AudioError extends Error {
  readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AudioError";
    this.code = code;
  }
}

export function isAudioError(value: unknown): value is AudioError {
  return value instanceof AudioError;
}
