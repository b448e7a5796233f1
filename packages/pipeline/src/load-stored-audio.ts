import { isAudioError, prepareInput } from "@shootout/audio";
import type { DB } from "@shootout/db";
import { RenderError } from "@shootout/jobs";
import { readObject, type Storage } from "@shootout/storage";
import type { Kysely } from "kysely";
import { CHAIN_SAMPLE_RATE } from "./tone-chain.ts";

export interface StoredAudio {
  /** The file's name, for messages. */
  name: string;
  prepared: Awaited<ReturnType<typeof prepareInput>>;
}

/**
 * An uploaded file of a shootout, decoded to mono at the chain's rate. `what` names it in the
 * errors a user reads ("The DI file …", "An IR file …").
 */
export async function loadStoredAudio(
  db: Kysely<DB>,
  storage: Storage,
  fileId: string,
  what: "DI" | "IR",
): Promise<StoredAudio> {
  const file = await db
    .selectFrom("files")
    .select(["storageKey", "name"])
    .where("id", "=", fileId)
    .executeTakeFirst();
  if (!file) {
    throw new RenderError(
      what === "DI"
        ? "The DI file of this shootout no longer exists."
        : "An IR file of this shootout no longer exists.",
    );
  }
  const bytes = await readObject(storage, file.storageKey);
  try {
    return { name: file.name, prepared: await prepareInput(bytes, { targetRate: CHAIN_SAMPLE_RATE }) };
  } catch (error) {
    if (isAudioError(error)) {
      throw new RenderError(`The ${what} file "${file.name}" cannot be used: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
