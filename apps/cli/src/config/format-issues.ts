import type { z } from "zod";

/** `tones[2].effects[0]`: a zod path as a reader of the JSON file would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(file)";
}

const RENAMED: Record<string, string> = {
  diFileId: 'use "di": the DI file\'s path, relative to the config file',
  irFileId: 'use "ir": the IR file\'s path, relative to the config file',
};

/** One line per problem, each with its path; unknown keys one line each (with a hint when known). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const hint = RENAMED[key];
        lines.push(`${formatPath([...issue.path, key])}: unknown field${hint ? ` (${hint})` : ""}`);
      }
      continue;
    }
    lines.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  return lines;
}
