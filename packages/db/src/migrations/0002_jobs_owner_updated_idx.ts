import type { Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// jobs.onMine resumes from a time: "the owner's jobs changed since then" is read by this index.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("jobs_owner_updated_idx")
    .on("jobs")
    .columns(["owner_id", "updated_at", "id"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("jobs_owner_updated_idx").execute();
}
