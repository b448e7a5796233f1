import type { FileInfo, Job } from "./api-types.ts";
import { api } from "./trpc.ts";

/**
 * The output files a job wrote. files.list is newest first, so the walk stops at the first page
 * that reaches past the job's creation (outputs are always younger than their job).
 */
export async function listJobFiles(job: Job): Promise<FileInfo[]> {
  const since = Date.parse(job.createdAt);
  const found: FileInfo[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const page = await api.files.list.query({ kind: "output", limit: 100, cursor });
    found.push(...page.items.filter((f) => f.jobId === job.id));
    const oldest = page.items.at(-1);
    if (!page.nextCursor || !oldest || Date.parse(oldest.createdAt) < since) break;
    cursor = page.nextCursor;
  }
  return found;
}
