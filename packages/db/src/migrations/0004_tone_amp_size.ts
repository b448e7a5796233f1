import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// The size a tone renders its amp capture at (NAM's slim value: 0 = smallest, 1 = full), for
// slimmable models (A2 exports). Null: the full size, as NAM Core renders by default.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("tone_selections")
    .addColumn("amp_slim", "real", (c) => c.check(sql`amp_slim between 0 and 1`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("tone_selections").dropColumn("amp_slim").execute();
}
