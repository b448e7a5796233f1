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

const CREATED_AT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(key: CursorKey): string {
  return encodeBase64urlNoPadding(new TextEncoder().encode(`${key.createdAt}|${key.id}`));
}

export function decodeCursor(cursor: string): CursorKey {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64urlIgnorePadding(cursor));
  } catch {
    throw new DomainError("BAD_REQUEST", "invalid cursor");
  }
  const [createdAt, id, ...rest] = text.split("|");
  if (rest.length || !createdAt || !id || !CREATED_AT_TEXT.test(createdAt) || !UUID.test(id)) {
    throw new DomainError("BAD_REQUEST", "invalid cursor");
  }
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
