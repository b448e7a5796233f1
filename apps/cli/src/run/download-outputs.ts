import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { FileOutput, JobOutput } from "@shootout/router";
import type { Backend } from "../backend/backend.ts";

const PAGE = 100;

/** The job's output files (files.list, newest first, stopping once past the job's creation). */
export async function listJobOutputs(backend: Backend, job: JobOutput): Promise<FileOutput[]> {
  const found: FileOutput[] = [];
  const since = Date.parse(job.createdAt);
  let cursor: string | null = null;
  for (;;) {
    const page = await backend.listFiles({ kind: "output", limit: PAGE, cursor });
    found.push(...page.items.filter((f) => f.jobId === job.id));
    const oldest = page.items.at(-1);
    if (!page.nextCursor || !oldest || Date.parse(oldest.createdAt) < since) break;
    cursor = page.nextCursor;
  }
  return found.reverse();
}

/** A file name for each output that stays inside `dir` and does not collide with another. */
function safeNames(files: readonly FileOutput[]): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const base = path.basename(file.name).replace(/[^\w.\- ]+/g, "_") || `output-${file.id}`;
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n += 1) {
      const ext = path.extname(base);
      name = `${base.slice(0, base.length - ext.length)}-${n}${ext}`;
    }
    used.add(name.toLowerCase());
    return name;
  });
}

/** Downloads every output of the job into `dir`; resolves to the files with where they went. */
export async function downloadOutputs(
  backend: Backend,
  files: readonly FileOutput[],
  dir: string,
): Promise<{ file: FileOutput; localPath: string }[]> {
  await mkdir(dir, { recursive: true });
  const names = safeNames(files);
  const written: { file: FileOutput; localPath: string }[] = [];
  for (const [i, file] of files.entries()) {
    const localPath = path.join(dir, names[i]!);
    await backend.download(file.id, localPath);
    written.push({ file, localPath });
  }
  return written;
}
