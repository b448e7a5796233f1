import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// The API's call rate limit, shared by every API process: one token bucket per `user:<id>` or
// `ip:<addr>`, refilled by elapsed time on each take (the database's clock, so processes on
// machines with skewed clocks agree). UNLOGGED: a take is a write on nearly every call, and a
// crash losing the buckets only hands everyone a full budget, so no WAL is worth its fsync.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table rate_limit_buckets (
      key text primary key check (char_length(key) <= 300),
      tokens double precision not null,
      -- What the last take was granted (0..n): the caller reads it back with RETURNING.
      last_granted integer not null check (last_granted >= 0),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // A bucket untouched for a minute is full again: the sweep drops those by this index.
  await sql`create index rate_limit_buckets_updated_at on rate_limit_buckets (updated_at)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rate_limit_buckets").execute();
}
