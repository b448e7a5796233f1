import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// A tone is an amp (a Tone 3000 NAM model) and/or a cabinet (a Tone 3000 IR, or an uploaded IR),
// at least one of the two. Existing rows all have an amp, so they stay valid.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("tone_selections")
    .alterColumn("tone3000_tone_id", (c) => c.dropNotNull())
    .alterColumn("tone3000_model_id", (c) => c.dropNotNull())
    .addColumn("cab_tone3000_tone_id", "text")
    .addColumn("cab_tone3000_model_id", "text")
    // The IR's name as Tone 3000 lists it, for title cards and segment names.
    .addColumn("cab_name", "text", (c) => c.check(sql`char_length(cab_name) <= 200`))
    .execute();
  await db.schema
    .alterTable("tone_selections")
    .addCheckConstraint(
      "tone_selections_amp_ids",
      sql`(tone3000_tone_id is null) = (tone3000_model_id is null)`,
    )
    .execute();
  await db.schema
    .alterTable("tone_selections")
    .addCheckConstraint(
      "tone_selections_cab_ids",
      sql`(cab_tone3000_tone_id is null) = (cab_tone3000_model_id is null)`,
    )
    .execute();
  await db.schema
    .alterTable("tone_selections")
    .addCheckConstraint(
      "tone_selections_one_cabinet",
      sql`cab_tone3000_model_id is null or ir_file_id is null`,
    )
    .execute();
  await db.schema
    .alterTable("tone_selections")
    .addCheckConstraint(
      "tone_selections_amp_or_cabinet",
      sql`tone3000_model_id is not null or cab_tone3000_model_id is not null or ir_file_id is not null`,
    )
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    "tone_selections_amp_or_cabinet",
    "tone_selections_one_cabinet",
    "tone_selections_cab_ids",
    "tone_selections_amp_ids",
  ]) {
    await db.schema.alterTable("tone_selections").dropConstraint(name).execute();
  }
  // Cabinet-only tones cannot exist in the old shape.
  await db.deleteFrom("tone_selections").where("tone3000_model_id", "is", null).execute();
  await db.schema
    .alterTable("tone_selections")
    .dropColumn("cab_tone3000_tone_id")
    .dropColumn("cab_tone3000_model_id")
    .dropColumn("cab_name")
    .alterColumn("tone3000_tone_id", (c) => c.setNotNull())
    .alterColumn("tone3000_model_id", (c) => c.setNotNull())
    .execute();
}
