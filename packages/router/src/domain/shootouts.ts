import { DEFAULT_MAX_DI_SECONDS, MIN_DI_SECONDS } from "@shootout/config";
import type { DB, Shootouts, ToneSelections } from "@shootout/db";
import { ACTIVE_STATUSES } from "@shootout/jobs";
import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { z } from "zod";
import { toIso } from "../schemas/common.ts";
import type {
  ShootoutCreate,
  ShootoutOutput,
  ShootoutUpdate,
  ToneSelectionOutput,
  toneSelectionInput,
} from "../schemas/shootouts.ts";
import { type shootoutRevealOutput, toneFieldPath, toneMetrics } from "../schemas/shootouts.ts";
import { ConflictError, InvalidReferenceError, NotFoundError } from "./errors.ts";
import { afterCursor, cursorCreatedAt, decodeCursor, toPage } from "./pagination.ts";
import { preparedQuery } from "./prepared-query.ts";
import { assertRenderableTones } from "./renderable-architectures.ts";
import { checkToneSources, type ToneAttribution, type ToneFileAccess } from "./tone-files-check.ts";

type Db = Kysely<DB> | Transaction<DB>;
type ShootoutRow = Selectable<Shootouts>;
/** A tone selection with the name of its IR upload (null without an IR). */
type ToneRow = Selectable<ToneSelections> & { irName: string | null };
type ToneInput = z.output<typeof toneSelectionInput>;
type Page<T> = { items: T[]; nextCursor: string | null };

/** Every column but the blind key, which only `revealShootout` reads. */
const shootoutColumns = [
  "shootouts.id",
  "shootouts.ownerId",
  "shootouts.name",
  "shootouts.description",
  "shootouts.diFileId",
  "shootouts.guitar",
  "shootouts.pickup",
  "shootouts.sampleRate",
  "shootouts.outputFormats",
  "shootouts.normalizeLoudness",
  "shootouts.targetLufs",
  "shootouts.isPublic",
  "shootouts.blind",
  "shootouts.revealedAt",
  "shootouts.processedAt",
  "shootouts.createdAt",
  "shootouts.updatedAt",
] as const;
type ShootoutFields = Omit<ShootoutRow, "blindKey">;

function toToneOutput(tone: ToneRow, shootout: ShootoutFields, isOwner: boolean): ToneSelectionOutput {
  // In a blind shootout each tone's place in the joined output IS the answer; hide it until revealed.
  const hidden = shootout.blind && shootout.revealedAt === null;
  const metrics = tone.metrics === null || hidden ? null : toneMetrics.safeParse(tone.metrics);
  const amp =
    tone.tone3000ToneId !== null && tone.tone3000ModelId !== null
      ? {
          tone3000ToneId: tone.tone3000ToneId,
          tone3000ModelId: tone.tone3000ModelId,
          modelSize: tone.modelSize,
          architecture: tone.architecture,
          slim: tone.ampSlim,
          license: tone.ampLicense,
          author: tone.ampAuthor,
        }
      : null;
  const cabinet: ToneSelectionOutput["cabinet"] =
    tone.cabTone3000ToneId !== null && tone.cabTone3000ModelId !== null
      ? {
          source: "tone3000",
          tone3000ToneId: tone.cabTone3000ToneId,
          tone3000ModelId: tone.cabTone3000ModelId,
          name: tone.cabName,
          license: tone.cabLicense,
          author: tone.cabAuthor,
        }
      : tone.irFileId !== null
        ? { source: "upload", irFileId: isOwner ? tone.irFileId : null, name: tone.irName }
        : null;
  return {
    id: tone.id,
    position: tone.position,
    displayName: tone.displayName,
    amp,
    cabinet,
    tone3000ToneId: tone.tone3000ToneId,
    tone3000ModelId: tone.tone3000ModelId,
    modelSize: tone.modelSize,
    architecture: tone.architecture,
    ampSlim: tone.ampSlim,
    irFileId: isOwner ? tone.irFileId : null,
    hasIr: cabinet !== null,
    irName: cabinet?.name ?? null,
    highpass: tone.highpass,
    effects: tone.effects,
    startMs: hidden ? null : tone.startMs,
    endMs: hidden ? null : tone.endMs,
    metrics: metrics?.success ? metrics.data : null,
  };
}

export function toShootoutOutput(
  row: ShootoutFields,
  tones: ToneRow[],
  viewerId: string | null,
): ShootoutOutput {
  const isOwner = viewerId === row.ownerId;
  return {
    id: row.id,
    ownerId: row.ownerId,
    isOwner,
    name: row.name,
    description: row.description,
    diFileId: isOwner ? row.diFileId : null,
    guitar: row.guitar,
    pickup: row.pickup,
    sampleRate: row.sampleRate,
    outputFormats: row.outputFormats,
    normalizeLoudness: row.normalizeLoudness,
    targetLufs: row.targetLufs,
    isPublic: row.isPublic,
    blind: row.blind,
    revealedAt: row.revealedAt ? toIso(row.revealedAt) : null,
    processedAt: row.processedAt ? toIso(row.processedAt) : null,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    tones: tones.map((t) => toToneOutput(t, row, isOwner)),
  };
}

/** Tones of several shootouts, in order; the ids travel as one array, so the SQL is always the same. */
const tonesOfShootouts = preparedQuery((db, p: { shootoutIds: string[] }) =>
  db
    .selectFrom("toneSelections")
    .leftJoin("files as ir", "ir.id", "toneSelections.irFileId")
    .selectAll("toneSelections")
    .select("ir.name as irName")
    .where("toneSelections.shootoutId", "=", sql<string>`any(${p.shootoutIds})`)
    .orderBy("toneSelections.shootoutId")
    .orderBy("toneSelections.position"),
);

async function tonesOf(db: Db, shootoutIds: string[]): Promise<Map<string, ToneRow[]>> {
  const byShootout = new Map<string, ToneRow[]>(shootoutIds.map((id) => [id, []]));
  if (shootoutIds.length === 0) return byShootout;
  const rows = await tonesOfShootouts(db, { shootoutIds });
  for (const row of rows) byShootout.get(row.shootoutId)?.push(row);
  return byShootout;
}

/**
 * The DI and IRs must be the caller's own files of the right kind. Someone else's file gets the
 * same answer as a missing one. The rows are locked (FOR KEY SHARE) until the caller's
 * transaction ends, so a concurrent files.delete cannot pull them out from under it.
 */
async function assertUsableFiles(
  trx: Transaction<DB>,
  ownerId: string,
  refs: { diFileId?: string | undefined; tones?: ToneInput[] | undefined },
  limits: ShootoutLimits,
): Promise<void> {
  const wanted = new Set<string>();
  if (refs.diFileId) wanted.add(refs.diFileId);
  for (const tone of refs.tones ?? [])
    if (tone.cabinet?.source === "upload") wanted.add(tone.cabinet.irFileId);
  if (wanted.size === 0) return;
  const rows = await trx
    .selectFrom("files")
    .select(["id", "kind", "durationMs"])
    .where("id", "in", [...wanted])
    .where("ownerId", "=", ownerId)
    .forKeyShare()
    .execute();
  const kindOf = new Map(rows.map((r) => [r.id, r.kind]));
  if (refs.diFileId && kindOf.get(refs.diFileId) !== "di") {
    throw new InvalidReferenceError(["diFileId"], "no such DI file");
  }
  // Known from the upload's headers; an unknown length is checked by the render once decoded.
  const diMs = rows.find((r) => r.id === refs.diFileId)?.durationMs ?? null;
  if (diMs !== null && diMs < MIN_DI_SECONDS * 1000) {
    throw new InvalidReferenceError(
      ["diFileId"],
      `the DI is ${(diMs / 1000).toFixed(2)} s long; a shootout needs at least ${MIN_DI_SECONDS} s of playing`,
    );
  }
  if (diMs !== null && diMs > limits.maxDiSeconds * 1000) {
    throw new InvalidReferenceError(
      ["diFileId"],
      `the DI is ${minutesSeconds(diMs / 1000)} long; shootouts here take DIs up to ${minutesSeconds(limits.maxDiSeconds)} (cut it shorter)`,
    );
  }
  refs.tones?.forEach((tone, i) => {
    if (tone.cabinet?.source === "upload" && kindOf.get(tone.cabinet.irFileId) !== "ir") {
      throw new InvalidReferenceError(["tones", i, ...toneFieldPath(tone, "irFileId")], "no such IR file");
    }
  });
}

async function insertTones(
  trx: Transaction<DB>,
  shootoutId: string,
  tones: ToneInput[],
  attributions: ToneAttribution[] | null,
): Promise<void> {
  await trx
    .insertInto("toneSelections")
    .values(
      tones.map((tone, position) => ({
        shootoutId,
        position,
        displayName: tone.displayName,
        tone3000ToneId: tone.amp?.tone3000ToneId ?? null,
        tone3000ModelId: tone.amp?.tone3000ModelId ?? null,
        modelSize: tone.amp?.modelSize ?? null,
        architecture: tone.amp?.architecture ?? null,
        ampSlim: tone.amp?.slim ?? null,
        cabTone3000ToneId: tone.cabinet?.source === "tone3000" ? tone.cabinet.tone3000ToneId : null,
        cabTone3000ModelId: tone.cabinet?.source === "tone3000" ? tone.cabinet.tone3000ModelId : null,
        cabName: tone.cabinet?.source === "tone3000" ? tone.cabinet.name : null,
        irFileId: tone.cabinet?.source === "upload" ? tone.cabinet.irFileId : null,
        ampLicense: attributions?.[position]?.ampLicense ?? null,
        ampAuthor: attributions?.[position]?.ampAuthor ?? null,
        cabLicense: attributions?.[position]?.cabLicense ?? null,
        cabAuthor: attributions?.[position]?.cabAuthor ?? null,
        highpass: tone.highpass,
        effects: tone.effects,
      })),
    )
    .execute();
}

/** What a deployment allows a shootout (RenderCapabilities' part of it). */
export interface ShootoutLimits {
  /** Longest DI, seconds. */
  readonly maxDiSeconds: number;
}

const minutesSeconds = (seconds: number) =>
  `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;

/** A shootout with its ordered tones, in one transaction. */
export async function createShootout(
  db: Kysely<DB>,
  ownerId: string,
  input: ShootoutCreate,
  limits: ShootoutLimits = { maxDiSeconds: DEFAULT_MAX_DI_SECONDS },
  toneFiles: ToneFileAccess | null = null,
): Promise<ShootoutOutput> {
  assertRenderableTones(input.tones);
  // Outside the transaction: downloads take a while, and what they store is shared anyway.
  const attributions = toneFiles ? await checkToneSources(db, toneFiles, input.tones) : null;
  return db.transaction().execute(async (trx) => {
    await assertUsableFiles(trx, ownerId, input, limits);
    const row = await trx
      .insertInto("shootouts")
      .values({
        ownerId,
        name: input.name,
        description: input.description,
        diFileId: input.diFileId,
        guitar: input.guitar,
        pickup: input.pickup,
        sampleRate: input.sampleRate,
        outputFormats: input.outputFormats,
        normalizeLoudness: input.normalizeLoudness,
        targetLufs: input.targetLufs,
        isPublic: input.isPublic,
        blind: input.blind,
      })
      .returning(shootoutColumns)
      .executeTakeFirstOrThrow();
    await insertTones(trx, row.id, input.tones, attributions);
    const tones = await tonesOf(trx, [row.id]);
    return toShootoutOutput(row, tones.get(row.id) ?? [], ownerId);
  });
}

/** Who may read a shootout: its owner, and anyone (signed in or not) when it is public. */
const visibleTo = (viewerId: string | null) => (eb: ExpressionBuilder<DB, "shootouts">) =>
  viewerId ? eb.or([eb("ownerId", "=", viewerId), eb("isPublic", "=", true)]) : eb("isPublic", "=", true);

/** Readable by its owner, and by anyone (signed in or not) when public. */
export async function getVisibleShootout(
  db: Db,
  viewerId: string | null,
  shootoutId: string,
): Promise<ShootoutOutput> {
  const row = await db
    .selectFrom("shootouts")
    .select(shootoutColumns)
    .where("id", "=", shootoutId)
    .where(visibleTo(viewerId))
    .executeTakeFirst();
  if (!row) throw new NotFoundError("shootout");
  const tones = await tonesOf(db, [row.id]);
  return toShootoutOutput(row, tones.get(row.id) ?? [], viewerId);
}

/** NotFound unless the viewer may read the shootout (as getVisibleShootout, without loading it). */
export async function assertVisibleShootout(
  db: Db,
  viewerId: string | null,
  shootoutId: string,
): Promise<void> {
  const row = await db
    .selectFrom("shootouts")
    .select("id")
    .where("id", "=", shootoutId)
    .where(visibleTo(viewerId))
    .executeTakeFirst();
  if (!row) throw new NotFoundError("shootout");
}

// The list queries, prepared: one per filter, with and without a cursor. `limit` is the page
// size plus one (the extra row says whether there is a next page).
const listColumns = (db: Kysely<DB>) =>
  db
    .selectFrom("shootouts")
    .select(shootoutColumns)
    .select(cursorCreatedAt("shootouts").as("cursorCreatedAt"));
type ListParams = { limit: number };
type ListAfterParams = ListParams & { cursorCreatedAt: string; cursorId: string };
const newestFirst = <Q extends ReturnType<typeof listColumns>>(q: Q, p: ListParams) =>
  q.orderBy("createdAt", "desc").orderBy("id", "desc").limit(p.limit);
const ownedFirstPage = preparedQuery((db, p: ListParams & { ownerId: string }) =>
  newestFirst(listColumns(db).where("ownerId", "=", p.ownerId), p),
);
const ownedAfter = preparedQuery((db, p: ListAfterParams & { ownerId: string }) =>
  newestFirst(
    listColumns(db)
      .where("ownerId", "=", p.ownerId)
      .where(afterCursor("shootouts", { createdAt: p.cursorCreatedAt, id: p.cursorId })),
    p,
  ),
);
const publicFirstPage = preparedQuery((db, p: ListParams) =>
  newestFirst(listColumns(db).where("isPublic", "=", true), p),
);
const publicAfter = preparedQuery((db, p: ListAfterParams) =>
  newestFirst(
    listColumns(db)
      .where("isPublic", "=", true)
      .where(afterCursor("shootouts", { createdAt: p.cursorCreatedAt, id: p.cursorId })),
    p,
  ),
);

async function listShootouts(
  db: Db,
  viewerId: string | null,
  filter: { ownerId: string } | { isPublic: true },
  opts: { cursor?: string | null | undefined; limit: number },
): Promise<Page<ShootoutOutput>> {
  const limit = opts.limit + 1;
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const rows =
    "ownerId" in filter
      ? after
        ? await ownedAfter(db, {
            ownerId: filter.ownerId,
            limit,
            cursorCreatedAt: after.createdAt,
            cursorId: after.id,
          })
        : await ownedFirstPage(db, { ownerId: filter.ownerId, limit })
      : after
        ? await publicAfter(db, { limit, cursorCreatedAt: after.createdAt, cursorId: after.id })
        : await publicFirstPage(db, { limit });
  const page = toPage(rows, opts.limit, ({ cursorCreatedAt: _, ...row }) => row);
  const tones = await tonesOf(
    db,
    page.items.map((r) => r.id),
  );
  return {
    items: page.items.map((row) => toShootoutOutput(row, tones.get(row.id) ?? [], viewerId)),
    nextCursor: page.nextCursor,
  };
}

/** The caller's shootouts, newest first. */
export function listOwnedShootouts(
  db: Db,
  ownerId: string,
  opts: { cursor?: string | null | undefined; limit: number },
): Promise<Page<ShootoutOutput>> {
  return listShootouts(db, ownerId, { ownerId }, opts);
}

/** Everyone's public shootouts, newest first. */
export function listPublicShootouts(
  db: Db,
  viewerId: string | null,
  opts: { cursor?: string | null | undefined; limit: number },
): Promise<Page<ShootoutOutput>> {
  return listShootouts(db, viewerId, { isPublic: true }, opts);
}

/**
 * FOR UPDATE on the shootout also serialises us against jobs.create: inserting a jobs row takes
 * FOR KEY SHARE on the shootout it references, which conflicts with FOR UPDATE. So either the job
 * commits first and our active-job check sees it, or it waits until our change has committed.
 */
async function assertOwnsShootout(db: Kysely<DB>, ownerId: string, shootoutId: string): Promise<void> {
  const row = await db
    .selectFrom("shootouts")
    .select("id")
    .where("id", "=", shootoutId)
    .where("ownerId", "=", ownerId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("shootout");
}

async function lockOwnedShootout(
  trx: Transaction<DB>,
  ownerId: string,
  shootoutId: string,
): Promise<ShootoutFields> {
  const row = await trx
    .selectFrom("shootouts")
    .select(shootoutColumns)
    .where("id", "=", shootoutId)
    .where("ownerId", "=", ownerId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError("shootout");
  return row;
}

async function hasActiveJob(trx: Transaction<DB>, shootoutId: string): Promise<boolean> {
  const job = await trx
    .selectFrom("jobs")
    .select("id")
    .where("shootoutId", "=", shootoutId)
    .where("status", "in", ACTIVE_STATUSES)
    .executeTakeFirst();
  return job !== undefined;
}

// Fields a running render reads; the others (name, notes, visibility) may change under it.
const RENDER_FIELDS = [
  "diFileId",
  "sampleRate",
  "outputFormats",
  "normalizeLoudness",
  "targetLufs",
  "blind",
  "tones",
] as const;

/**
 * Changes the caller's shootout; a `tones` list replaces the old one wholesale (positions, IRs,
 * effects; rendered timings and metrics go with it), atomically with the other fields.
 * What the renderer reads cannot change while a job of this shootout is unfinished.
 */
export async function updateShootout(
  db: Kysely<DB>,
  ownerId: string,
  input: ShootoutUpdate,
  limits: ShootoutLimits = { maxDiSeconds: DEFAULT_MAX_DI_SECONDS },
  toneFiles: ToneFileAccess | null = null,
): Promise<ShootoutOutput> {
  assertRenderableTones(input.tones);
  // Checking the tones' files downloads them from Tone 3000: not for a shootout that is not the
  // caller's (it answers NOT_FOUND at once, like a random id). The locked read below still decides.
  if (input.tones && toneFiles) await assertOwnsShootout(db, ownerId, input.shootoutId);
  const attributions = toneFiles ? await checkToneSources(db, toneFiles, input.tones) : null;
  return db.transaction().execute(async (trx) => {
    const current = await lockOwnedShootout(trx, ownerId, input.shootoutId);
    if (RENDER_FIELDS.some((f) => input[f] !== undefined) && (await hasActiveJob(trx, current.id))) {
      throw new ConflictError("the shootout is being rendered; cancel the job or wait for it to finish");
    }
    await assertUsableFiles(trx, ownerId, input, limits);
    const { shootoutId: _, tones, ...changes } = input;
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const row = await trx
      .updateTable("shootouts")
      .set({ ...set, updatedAt: sql`now()` })
      .where("id", "=", current.id)
      .returning(shootoutColumns)
      .executeTakeFirstOrThrow();
    if (tones) {
      await trx.deleteFrom("toneSelections").where("shootoutId", "=", row.id).execute();
      await insertTones(trx, row.id, tones, attributions);
    }
    const toneRows = await tonesOf(trx, [row.id]);
    return toShootoutOutput(row, toneRows.get(row.id) ?? [], ownerId);
  });
}

/** Deletes the caller's shootout with its tones, jobs, events and output files (by cascade). */
export async function deleteShootout(db: Kysely<DB>, ownerId: string, shootoutId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await lockOwnedShootout(trx, ownerId, shootoutId);
    if (await hasActiveJob(trx, row.id)) {
      throw new ConflictError("the shootout is being rendered; cancel the job first");
    }
    await trx.deleteFrom("shootouts").where("id", "=", row.id).execute();
  });
}

/**
 * The blind key of the caller's shootout (the shuffled order the worker rendered it in). The first
 * reveal of a rendered blind shootout stamps revealed_at, after which its tones' timings show.
 */
export async function revealShootout(
  db: Kysely<DB>,
  ownerId: string,
  shootoutId: string,
): Promise<z.infer<typeof shootoutRevealOutput>> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("shootouts")
      .select(["id", "blind", "blindKey", "revealedAt"])
      .where("id", "=", shootoutId)
      .where("ownerId", "=", ownerId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFoundError("shootout");
    let revealedAt = row.revealedAt;
    if (row.blind && row.blindKey !== null && revealedAt === null) {
      const updated = await trx
        .updateTable("shootouts")
        .set({ revealedAt: sql`now()` })
        .where("id", "=", row.id)
        .returning("revealedAt")
        .executeTakeFirstOrThrow();
      revealedAt = updated.revealedAt;
    }
    return {
      shootoutId: row.id,
      blind: row.blind,
      blindKey: row.blindKey === null ? null : z.json().parse(row.blindKey),
      revealedAt: revealedAt ? toIso(revealedAt) : null,
    };
  });
}
