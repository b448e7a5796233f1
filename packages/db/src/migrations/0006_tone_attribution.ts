import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// Licence and author of what a tone uses (its amp's Tone 3000 tone, its cabinet's), as Tone 3000
// gave them when the shootout was saved: shown on tone cards and results, embedded in the outputs.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("tone_selections")
    .addColumn("amp_license", "text", (c) => c.check(sql`char_length(amp_license) <= 100`))
    .addColumn("amp_author", "text", (c) => c.check(sql`char_length(amp_author) <= 200`))
    .addColumn("cab_license", "text", (c) => c.check(sql`char_length(cab_license) <= 100`))
    .addColumn("cab_author", "text", (c) => c.check(sql`char_length(cab_author) <= 200`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("tone_selections")
    .dropColumn("amp_license")
    .dropColumn("amp_author")
    .dropColumn("cab_license")
    .dropColumn("cab_author")
    .execute();
}
