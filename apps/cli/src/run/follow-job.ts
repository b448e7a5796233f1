import { FINAL_STATUSES, type JobStatus } from "@shootout/jobs";
import type { JobOutput } from "@shootout/router";
import type { Backend } from "../backend/backend.ts";
import type { ProgressReporter } from "../output/progress-reporter.ts";

const isFinal = (status: JobStatus) => FINAL_STATUSES.includes(status);

/**
 * Follows a job over jobs.onProgress until it is final (the subscription ends there), then reads
 * the job once more for its result and error. Resolves to null when `signal` stopped the wait first.
 */
export async function followJob(
  backend: Backend,
  job: JobOutput,
  reporter: ProgressReporter,
  signal: AbortSignal,
): Promise<JobOutput | null> {
  if (isFinal(job.status)) return job;
  try {
    for await (const event of backend.watchJob(job.id, signal)) {
      reporter.update(event);
      if (isFinal(event.status)) break;
    }
  } finally {
    reporter.finish();
  }
  if (signal.aborted) return null;
  return backend.getJob(job.id);
}
