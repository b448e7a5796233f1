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

/** Licence and author of what a tone uses, as Tone 3000 gave them when the shootout was saved. */
export interface ToneAttribution {
  ampLicense: string | null;
  ampAuthor: string | null;
  cabLicense: string | null;
  cabAuthor: string | null;
}

const clip = (text: string | null | undefined, max: number) => {
  const t = text?.trim();
  return t ? t.slice(0, max) : null;
};

/**
 * Every Tone 3000 file a shootout's tones use is fetched now, with the owner's token, checked for
 * what it is used as (the amp's a `.nam`, the cabinet's a WAV IR) and cached for the render: a
 * file that is neither is refused when the shootout is saved, naming the tone's field and the
 * file, never as a failed job. Files already cached were checked when they were stored. Each
 * model is fetched once however many tones use it. Failures to reach Tone 3000 propagate as
 * Tone 3000 errors (the router maps them). Each tone's licence and author come from its Tone 3000
 * tones' details (one call per tone used), and are returned per tone to be stored with it.
 */
export async function checkToneSources(
  db: Kysely<DB>,
  access: ToneFileAccess,
  tones: readonly ToneInput[] | undefined,
): Promise<ToneAttribution[] | null> {
  if (!tones) return null;
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
  return attributions(access, tones);
}

/** Each tone's licence and author, from the details of the Tone 3000 tones it uses (each asked once). */
async function attributions(access: ToneFileAccess, tones: readonly ToneInput[]): Promise<ToneAttribution[]> {
  const details = new Map<string, Promise<{ license: string | null; author: string | null }>>();
  const detailOf = (toneId: string, field: (string | number)[]) => {
    let detail = details.get(toneId);
    if (!detail) {
      detail = (async () => {
        const id = z.coerce.number().int().positive().safeParse(toneId);
        if (!id.success) throw new InvalidReferenceError(field, "not a Tone 3000 tone id");
        try {
          const tone = await (await access.client()).getTone(id.data);
          return { license: clip(tone.license, 100), author: clip(tone.user?.username, 200) };
        } catch (error) {
          if (isTone3000Error(error) && error.kind === "not_found") {
            throw new InvalidReferenceError(field, "no such tone on Tone 3000");
          }
          throw error;
        }
      })();
      details.set(toneId, detail);
      detail.catch(() => {});
    }
    return detail;
  };
  const out: ToneAttribution[] = [];
  for (const [i, tone] of tones.entries()) {
    const amp = tone.amp ? await detailOf(tone.amp.tone3000ToneId, ["tones", i, ...ampTonePath(tone)]) : null;
    const cab =
      tone.cabinet?.source === "tone3000"
        ? await detailOf(tone.cabinet.tone3000ToneId, ["tones", i, "cabinet", "tone3000ToneId"])
        : null;
    out.push({
      ampLicense: amp?.license ?? null,
      ampAuthor: amp?.author ?? null,
      cabLicense: cab?.license ?? null,
      cabAuthor: cab?.author ?? null,
    });
  }
  return out;
}

const ampTonePath = (tone: ToneInput) => (tone.flat ? ["tone3000ToneId"] : ["amp", "tone3000ToneId"]);
