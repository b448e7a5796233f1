import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import { PostgresDialect as CodegenPostgresDialect, generate } from "kysely-codegen";

export const GENERATED_TYPES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "generated/db.ts",
);

const JOB_STATUS = '"pending" | "queued" | "running" | "completed" | "failed" | "cancelled"';

// Check constraints the introspector cannot see, carried into the types.
const columnOverrides = {
  "jobs.status": `Generated<${JOB_STATUS}>`,
  "job_events.status": JOB_STATUS,
  "files.kind": '"di" | "ir" | "output"',
  "shootouts.output_formats": 'Generated<("wav" | "flac" | "mp4")[]>',
};

/**
 * Writes the schema types of a migrated database (plugin-free Kysely) to `outFile`, or with
 * `verify` throws when the file there differs from what the database generates.
 */
export async function generateSchemaTypes(
  db: Kysely<unknown>,
  options: { verify?: boolean; outFile?: string } = {},
): Promise<void> {
  // kysely-codegen tries to pretty-parse overrides with the TypeScript 5 compiler API, which
  // TypeScript 7 no longer ships; it then emits the override text verbatim, which is what we want.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("Failed to parse type expression")) return;
    warn(...args);
  };
  try {
    await generate({
      db,
      dialect: new CodegenPostgresDialect(),
      outFile: options.outFile ?? GENERATED_TYPES_FILE,
      camelCase: true,
      excludePattern: "kysely_migration*",
      verify: options.verify ?? false,
      typeMapping: { bytea: "Uint8Array" },
      overrides: { columns: columnOverrides },
    });
  } finally {
    console.warn = warn;
  }
}
