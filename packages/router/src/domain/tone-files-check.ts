import type { DB } from "@shootout/db";
import type { Storage } from "@shootout/storage";
import { isTone3000Error, type Tone3000Client } from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { z } from "zod";
import { toneFieldPath, type toneSelectionInput } from "../schemas/shootouts.ts";
import { InvalidReferenceError } from "./errors.ts";
import { fetchTone3000File, Tone3000FileInvalidError, type Tone3000FileKind } from "./tone3000-files.ts";

type ToneInput = z.output<typeof toneSelectionInput>;

/** How shootouts.create/update reach Tone 3000 for the caller (null: a server without Tone 3000). */
export interface ToneFileAccess {
  readonly storage: Storage;
  readonly client: () => Promise<Tone3000Client>;
}

/**
 * Every Tone 3000 file a shootout's tones use is fetched now, with the owner's token, checked for
 * what it is used as (the amp's a `.nam`, the cabinet's a WAV IR) and cached for the render: a
 * file that is neither is refused when the shootout is saved, naming the tone's field and the
 * file, never as a failed job. Files already cached were checked when they were stored. Each
 * model is fetched once however many tones use it. Failures to reach Tone 3000 propagate as
 * Tone 3000 errors (the router maps them).
 */
export async function assertToneFiles(
  db: Kysely<DB>,
  access: ToneFileAccess,
  tones: readonly ToneInput[] | undefined,
): Promise<void> {
  if (!tones) return;
  const checked = new Map<string, Promise<void>>();
  const uses: { i: number; tone: ToneInput; modelId: string; kind: Tone3000FileKind }[] = [];
  tones.forEach((tone, i) => {
    if (tone.amp) uses.push({ i, tone, modelId: tone.amp.tone3000ModelId, kind: "nam" });
    if (tone.cabinet?.source === "tone3000") {
      uses.push({ i, tone, modelId: tone.cabinet.tone3000ModelId, kind: "ir" });
    }
  });
  for (const use of uses) {
    const field = [
      "tones",
      use.i,
      ...toneFieldPath(use.tone, use.kind === "nam" ? "tone3000ModelId" : "cabinetModelId"),
    ];
    const key = `${use.kind}:${use.modelId}`;
    let check = checked.get(key);
    if (!check) {
      check = fetchTone3000File(db, access.storage, access.client, use.modelId, use.kind).then(() => {});
      checked.set(key, check);
    }
    try {
      await check;
    } catch (error) {
      if (error instanceof Tone3000FileInvalidError) throw new InvalidReferenceError(field, error.message);
      if (error instanceof z.ZodError) throw new InvalidReferenceError(field, "not a Tone 3000 model id");
      if (isTone3000Error(error) && error.kind === "not_found") {
        throw new InvalidReferenceError(field, "no such model on Tone 3000");
      }
      throw error;
    }
  }
}
