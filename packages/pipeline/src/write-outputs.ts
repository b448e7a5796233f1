import type { DB } from "@shootout/db";
import { putBytes, type Storage, type StoredObject } from "@shootout/storage";
import { type Kysely, sql } from "kysely";
import type { BlindKey } from "./blind-order.ts";
import type { OutputFile, ToneMetrics } from "./result-schema.ts";

/** An output as stored: audio and video as the result lists them, or the credits text. */
export type StoredOutput = Omit<OutputFile, "format"> & { format: OutputFile["format"] | "txt" };

import { CHAIN_SAMPLE_RATE } from "./tone-chain.ts";

export interface PendingOutput {
  /** Key of this output in the result (which tone, or "joined" / "video"). */
  readonly group: string;
  readonly name: string;
  readonly format: "wav" | "flac" | "mp4" | "txt";
  readonly bytes: Uint8Array;
  /** Null for what is not audio (credits.txt). */
  readonly durationMs: number | null;
  readonly channels: number | null;
}

export interface ToneUpdate {
  readonly toneSelectionId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly metrics: ToneMetrics;
}

const MIME = {
  wav: "audio/wav",
  flac: "audio/flac",
  mp4: "video/mp4",
  txt: "text/plain; charset=utf-8",
} as const;

/**
 * Stores the outputs and records the render in one transaction: the job's earlier output rows
 * go (a rerun replaces them), the new files rows (owner's, kind output, job_id set) come in, each
 * tone gets its segment times and metrics, the shootout its processed_at and, when blind, its new
 * key (a new shuffle is unrevealed again). Bytes reach storage first; the worker removes rows
 * and unshared objects of a job that is cancelled or fails after this.
 */
export async function writeOutputs(
  db: Kysely<DB>,
  storage: Storage,
  input: {
    jobId: string;
    ownerId: string;
    shootoutId: string;
    outputs: PendingOutput[];
    tones: ToneUpdate[];
    blindKey: BlindKey | null;
  },
): Promise<Map<string, StoredOutput[]>> {
  const stored: { output: PendingOutput; object: StoredObject }[] = [];
  for (const output of input.outputs) stored.push({ output, object: await putBytes(storage, output.bytes) });
  const byGroup = new Map<string, StoredOutput[]>();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("files").where("jobId", "=", input.jobId).where("kind", "=", "output").execute();
    for (const { output, object } of stored) {
      const row = await trx
        .insertInto("files")
        .values({
          ownerId: input.ownerId,
          kind: "output",
          jobId: input.jobId,
          name: output.name,
          mime: MIME[output.format],
          sizeBytes: object.size,
          sha256: object.sha256,
          storageKey: object.key,
          durationMs: output.durationMs,
          sampleRate: output.durationMs === null ? null : CHAIN_SAMPLE_RATE,
          channels: output.channels,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const list = byGroup.get(output.group) ?? [];
      list.push({
        fileId: row.id,
        name: output.name,
        format: output.format,
        sizeBytes: object.size,
        sha256: object.sha256,
      });
      byGroup.set(output.group, list);
    }
    for (const tone of input.tones) {
      await trx
        .updateTable("toneSelections")
        .set({ startMs: tone.startMs, endMs: tone.endMs, metrics: JSON.stringify(tone.metrics) })
        .where("id", "=", tone.toneSelectionId)
        .where("shootoutId", "=", input.shootoutId)
        .execute();
    }
    await trx
      .updateTable("shootouts")
      .set({
        processedAt: sql`now()`,
        ...(input.blindKey
          ? { blindKey: JSON.stringify(input.blindKey), revealedAt: null }
          : { blindKey: null }),
      })
      .where("id", "=", input.shootoutId)
      .execute();
  });
  return byGroup;
}
