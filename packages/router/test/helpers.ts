import { randomBytes } from "node:crypto";
import type { DB } from "@shootout/db";
import { TRPCError } from "@trpc/server";
import type { Kysely } from "kysely";
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

export function shootoutInput(diFileId: string, extra: Partial<ShootoutCreateInput> = {}): ShootoutCreateInput {
  return { name: "Plexi vs JCM", diFileId, tones: [tone(1), tone(2)], ...extra };
}

/** Awaits a rejection and returns it as a TRPCError with the given code. */
export async function expectTRPCError(promise: Promise<unknown>, code: TRPCError["code"]): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(trpcError.code).toBe(code);
  return trpcError;
}
