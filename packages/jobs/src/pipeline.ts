import type { DB, JsonValue, Shootouts, ToneSelections } from "@shootout/db";
import type { Storage } from "@shootout/storage";
import type { Kysely, Selectable } from "kysely";
import type { Logger } from "pino";
import type { JobRow } from "./lifecycle.ts";

/** A shootout as a render needs it: the row and its tone selections in order. */
export interface ShootoutForRender extends Selectable<Shootouts> {
  readonly tones: Selectable<ToneSelections>[];
}

export interface PipelineInput {
  /** The jobs row as the worker claimed it (status `running`). */
  readonly job: JobRow;
  readonly shootout: ShootoutForRender;
  /**
   * Aborted when the render must stop: the user cancelled, the worker is shutting down, or the
   * claim on the job was lost. Check it between chunks; `signal.reason` says why.
   */
  readonly signal: AbortSignal;
  /** Reports progress (0–100) and what is happening; cheap to call often (writes are throttled). */
  readonly progress: (percent: number, message: string) => void;
  readonly db: Kysely<DB>;
  readonly storage: Storage;
  readonly log: Logger;
}

/**
 * Renders one job and returns what goes into `jobs.result`. Output files should be written at the
 * end (files rows with `job_id` set): on cancel or failure the worker removes the job's outputs,
 * and a rerun starts from none.
 */
export type RenderPipeline = (input: PipelineInput) => Promise<JsonValue>;

/**
 * A render failure whose message is meant for the user ("the DI file is not valid audio").
 * Any other error is stored as a generic message, its details going to the logs only.
 * `retryable: false` fails the job at once instead of trying again.
 */
export class RenderError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RenderError";
    this.retryable = options.retryable ?? false;
  }
}
