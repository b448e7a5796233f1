import { debugEnabled } from "@shootout/config";
import { TRPCClientError } from "@trpc/client";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { CliFailure, EXIT, UsageError } from "./cli-errors.ts";
import { formatIssues } from "./config/format-issues.ts";

const zodErrorData = z.object({
  zodError: z
    .object({
      formErrors: z.array(z.string()),
      fieldErrors: z.record(z.string(), z.array(z.string()).optional()),
    })
    .nullable()
    .optional(),
  code: z.string().optional(),
});

/** Lines for what the server (or the router in-process) refused, with the fields it named. */
function procedureProblems(error: unknown): { code: string; message: string; details: string[] } | null {
  if (error instanceof TRPCError) {
    const details = error.cause instanceof z.ZodError ? formatIssues(error.cause.issues) : [];
    return { code: error.code, message: error.message, details };
  }
  if (error instanceof TRPCClientError) {
    const data = zodErrorData.safeParse(error.data);
    const details: string[] = [];
    if (data.success && data.data.zodError) {
      details.push(...data.data.zodError.formErrors);
      for (const [field, messages] of Object.entries(data.data.zodError.fieldErrors)) {
        for (const m of messages ?? []) details.push(`${field}: ${m}`);
      }
    }
    const code = data.success && data.data.code ? data.data.code : "ERROR";
    // A ZodError's message is its JSON; the details say it better.
    return { code, message: details.length ? "invalid input" : error.message, details };
  }
  return null;
}

/** Writes what went wrong to stderr and returns the exit code it deserves. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  const write = (line: string) => stderr.write(`${line}\n`);
  if (error instanceof UsageError) {
    write(`shootout: ${error.message}`);
    for (const p of error.problems) write(`  ${p}`);
    write(`(shootout ${error.command ?? ""}${error.command ? " " : ""}--help for usage)`);
    return EXIT.usage;
  }
  if (error instanceof CliFailure) {
    write(`shootout: ${error.message}`);
    return EXIT.failure;
  }
  const refused = procedureProblems(error);
  if (refused) {
    write(`shootout: ${refused.code}: ${refused.message}`);
    for (const d of refused.details) write(`  ${d}`);
    return EXIT.failure;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  write(`shootout: ${err.message}`);
  if (debugEnabled()) write(err.stack ?? "");
  return EXIT.failure;
}
