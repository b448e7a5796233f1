import { randomBytes } from "node:crypto";
import type { DB } from "@shootout/db";
import { TRPCError } from "@trpc/server";
import { type Kysely, sql } from "kysely";
import { expect } from "vitest";
import { recordUploadedFile } from "../src/domain/files.ts";
import type { ShootoutCreateInput, ToneSelectionInput } from "../src/schemas/shootouts.ts";

/** A file row as the upload route would record it (the bytes themselves are not needed here). */
export async function seedFile(db: Kysely<DB>, ownerId: string, kind: "di" | "ir" = "di", name?: string) {
  const sha256 = randomBytes(32).toString("hex");
  return recordUploadedFile(db, {
    ownerId,
    kind,
    name: name ?? `${kind}-${sha256.slice(0, 6)}.wav`,
    mime: "audio/wav",
    sizeBytes: 1234,
    sha256,
    storageKey: `sha256/${sha256.slice(0, 2)}/${sha256}`,
    durationMs: kind === "di" ? 10_000 : 200,
    sampleRate: 48000,
    channels: 1,
  });
}

export function tone(i: number, extra: Partial<ToneSelectionInput> = {}): ToneSelectionInput {
  return {
    tone3000ToneId: `tone-${i}`,
    tone3000ModelId: `model-${i}`,
    displayName: `Tone ${i}`,
    ...extra,
  };
}

export function shootoutInput(
  diFileId: string,
  extra: Partial<ShootoutCreateInput> = {},
): ShootoutCreateInput {
  return { name: "Plexi vs JCM", diFileId, tones: [tone(1), tone(2)], ...extra };
}

/** Awaits a rejection and returns it as a TRPCError with the given code. */
export async function expectTRPCError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(trpcError.code).toBe(code);
  return trpcError;
}

/**
 * `ids` in newest-first order as computed here, independently of the SQL under test: by created_at
 * (microseconds, as text) descending, then id descending. Rows can share a created_at (one
 * transaction, or a coarse clock on PGlite), and then only the id orders them.
 */
export async function newestFirst(db: Kysely<DB>, table: "files" | "shootouts" | "jobs", ids: string[]) {
  const rows = await db
    .selectFrom(table)
    .select([
      "id",
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as("at"),
    ])
    .where("id", "in", ids)
    .execute();
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return rows.sort((a, b) => desc(a.at, b.at) || desc(a.id, b.id)).map((r) => r.id);
}
