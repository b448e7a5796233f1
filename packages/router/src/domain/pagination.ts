import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { DomainError } from "./errors.ts";

/**
 * Keyset pagination on (created_at desc, id desc): stable under inserts, as an offset is not.
 * The cursor carries created_at at full (microsecond) precision, as text from Postgres: a JS Date
 * would round to milliseconds and skip or repeat rows created in the same millisecond.
 */
export interface CursorKey {
  createdAt: string;
  id: string;
}

const CREATED_AT_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Every created_at we hand out lies between these: a cursor outside them was not ours.
const EARLIEST_YEAR = 2000;
const LATEST_YEAR = 9999;

/** A cursor that is not one of ours: a bad request, refused before any query. */
export class CursorError extends DomainError {
  constructor(why: string) {
    super("BAD_REQUEST", `invalid cursor: ${why}`);
    this.name = "CursorError";
  }
}

export function encodeCursor(key: CursorKey): string {
  return encodeBase64urlNoPadding(new TextEncoder().encode(`${key.createdAt}|${key.id}`));
}

/**
 * Whether `text` names a real instant (no 30th of February, no hour 24), in the years our rows
 * live in. The regex alone let `2024-02-30` through to `::timestamptz`, which fails the query.
 */
function isRealCreatedAt(text: string): boolean {
  const m = CREATED_AT_TEXT.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) return false;
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls an out-of-range field over (Feb 30 is Mar 1): a real date comes back unchanged.
  return (
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second
  );
}

/** The key a cursor stands for; a CursorError (BAD_REQUEST) for anything we did not produce. */
export function decodeCursor(cursor: string): CursorKey {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64urlIgnorePadding(cursor));
  } catch {
    throw new CursorError("not base64url text");
  }
  const [createdAt, id, ...rest] = text.split("|");
  if (rest.length || !createdAt || !id || !UUID.test(id)) throw new CursorError("not a page cursor");
  if (!isRealCreatedAt(createdAt)) throw new CursorError("its time is not a real date");
  return { createdAt, id };
}

/** Select this (as `cursorCreatedAt`) next to the row to build its cursor. */
export function cursorCreatedAt(table: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(`${table}.created_at`)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `(created_at, id) < (cursor)`: the rows after the cursor in newest-first order. */
export function afterCursor(table: string, key: CursorKey): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that there is a next page.
 */
export function toPage<Row extends { id: string; cursorCreatedAt: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null,
  };
}
