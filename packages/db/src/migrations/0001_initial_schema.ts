import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("tone3000_id", "text", (c) => c.notNull().unique())
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("avatar_url", "text")
    // Tone 3000 tokens, AES-GCM encrypted by the application (never plaintext at rest).
    .addColumn("t3k_access_token", "text")
    .addColumn("t3k_refresh_token", "text")
    .addColumn("t3k_token_expires_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("sessions")
    // The public half of the session token; the secret half is only ever stored hashed.
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("secret_hash", "bytea", (c) => c.notNull())
    .addColumn("user_agent", "text")
    .addColumn("ip", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_verified_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addCheckConstraint("sessions_secret_hash_len", sql`octet_length(secret_hash) = 32`)
    .execute();
  await db.schema.createIndex("sessions_user_id_idx").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("files")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("owner_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("storage_key", "text", (c) => c.notNull())
    .addColumn("duration_ms", "integer")
    .addColumn("sample_rate", "integer")
    .addColumn("channels", "smallint")
    // Set for outputs: the job that wrote them (rerunning a job replaces them).
    .addColumn("job_id", "uuid")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("files_kind", sql`kind in ('di', 'ir', 'output')`)
    .addCheckConstraint("files_size", sql`size_bytes >= 0`)
    .addCheckConstraint("files_sha256", sql`sha256 ~ '^[0-9a-f]{64}$'`)
    .addCheckConstraint("files_name_len", sql`char_length(name) between 1 and 255`)
    .addCheckConstraint("files_output_has_job", sql`(kind = 'output') = (job_id is not null)`)
    .execute();
  await db.schema
    .createIndex("files_owner_created_idx")
    .on("files")
    .columns(["owner_id", "created_at desc", "id desc"])
    .execute();
  await db.schema.createIndex("files_job_id_idx").on("files").column("job_id").execute();

  await db.schema
    .createTable("shootouts")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("owner_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("di_file_id", "uuid", (c) => c.notNull().references("files.id").onDelete("restrict"))
    .addColumn("guitar", "text")
    .addColumn("pickup", "text")
    .addColumn("sample_rate", "integer", (c) => c.notNull().defaultTo(48000))
    .addColumn("output_formats", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{flac}'::text[]`))
    .addColumn("normalize_loudness", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("target_lufs", "real", (c) => c.notNull().defaultTo(-18))
    .addColumn("is_public", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("blind", "boolean", (c) => c.notNull().defaultTo(false))
    // The shuffled order of a blind shootout; only its owner may read it before revealed_at.
    .addColumn("blind_key", "jsonb")
    .addColumn("revealed_at", "timestamptz")
    .addColumn("processed_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("shootouts_name_len", sql`char_length(name) between 1 and 200`)
    .addCheckConstraint("shootouts_description_len", sql`char_length(description) <= 5000`)
    .addCheckConstraint("shootouts_sample_rate", sql`sample_rate in (44100, 48000, 88200, 96000)`)
    .addCheckConstraint(
      "shootouts_output_formats",
      sql`cardinality(output_formats) >= 1 and output_formats <@ array['wav', 'flac', 'mp4']::text[]`,
    )
    .addCheckConstraint("shootouts_target_lufs", sql`target_lufs between -60 and 0`)
    .execute();
  await db.schema
    .createIndex("shootouts_owner_created_idx")
    .on("shootouts")
    .columns(["owner_id", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("shootouts_public_created_idx")
    .on("shootouts")
    .columns(["created_at desc", "id desc"])
    .where(sql.ref("is_public"), "=", true)
    .execute();
  await db.schema.createIndex("shootouts_di_file_idx").on("shootouts").column("di_file_id").execute();

  await db.schema
    .createTable("tone_selections")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("shootout_id", "uuid", (c) => c.notNull().references("shootouts.id").onDelete("cascade"))
    .addColumn("position", "smallint", (c) => c.notNull())
    .addColumn("tone3000_tone_id", "text", (c) => c.notNull())
    .addColumn("tone3000_model_id", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("model_size", "text")
    .addColumn("architecture", "text")
    .addColumn("ir_file_id", "uuid", (c) => c.references("files.id").onDelete("restrict"))
    .addColumn("highpass", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("effects", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("start_ms", "integer")
    .addColumn("end_ms", "integer")
    .addColumn("metrics", "jsonb")
    .addUniqueConstraint("tone_selections_position_unique", ["shootout_id", "position"])
    .addCheckConstraint("tone_selections_position", sql`position between 0 and 11`)
    .addCheckConstraint("tone_selections_display_name_len", sql`char_length(display_name) between 1 and 200`)
    .addCheckConstraint(
      "tone_selections_segment",
      sql`(start_ms is null and end_ms is null) or (start_ms >= 0 and end_ms > start_ms)`,
    )
    .execute();
  await db.schema
    .createIndex("tone_selections_ir_file_idx")
    .on("tone_selections")
    .column("ir_file_id")
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("shootout_id", "uuid", (c) => c.notNull().references("shootouts.id").onDelete("cascade"))
    // Denormalised from the shootout so ownership checks and "my jobs" need no join.
    .addColumn("owner_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("progress", "smallint", (c) => c.notNull().defaultTo(0))
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("error", "text")
    .addColumn("result", "jsonb")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("queue_job_id", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("queued_at", "timestamptz")
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("cancel_requested_at", "timestamptz")
    .addCheckConstraint(
      "jobs_status",
      sql`status in ('pending', 'queued', 'running', 'completed', 'failed', 'cancelled')`,
    )
    .addCheckConstraint("jobs_progress", sql`progress between 0 and 100`)
    .addCheckConstraint("jobs_attempts", sql`attempts >= 0`)
    .execute();
  await db.schema
    .createIndex("jobs_owner_created_idx")
    .on("jobs")
    .columns(["owner_id", "created_at desc", "id desc"])
    .execute();
  await db.schema.createIndex("jobs_shootout_idx").on("jobs").column("shootout_id").execute();
  // At most one unfinished job per shootout, enforced by the database.
  await db.schema
    .createIndex("jobs_one_active_per_shootout")
    .on("jobs")
    .column("shootout_id")
    .unique()
    .where(sql.ref("status"), "in", sql`('pending', 'queued', 'running')`)
    .execute();

  await db.schema
    .alterTable("files")
    .addForeignKeyConstraint("files_job_id_fkey", ["job_id"], "jobs", ["id"])
    .onDelete("cascade")
    .execute();

  await db.schema
    .createTable("job_events")
    .addColumn("job_id", "uuid", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("progress", "smallint", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("job_events_pkey", ["job_id", "seq"])
    .addCheckConstraint("job_events_seq", sql`seq >= 1`)
    .addCheckConstraint("job_events_progress", sql`progress between 0 and 100`)
    .addCheckConstraint(
      "job_events_status",
      sql`status in ('pending', 'queued', 'running', 'completed', 'failed', 'cancelled')`,
    )
    .execute();

  // Downloaded Tone 3000 models, shared by all users: the bytes are public content keyed by model id.
  await db.schema
    .createTable("model_cache")
    .addColumn("tone3000_model_id", "text", (c) => c.primaryKey())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("storage_key", "text", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("architecture", "text")
    .addColumn("fetched_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("model_cache_sha256", sql`sha256 ~ '^[0-9a-f]{64}$'`)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("model_cache").execute();
  await db.schema.dropTable("job_events").execute();
  await db.schema.alterTable("files").dropConstraint("files_job_id_fkey").execute();
  await db.schema.dropTable("jobs").execute();
  await db.schema.dropTable("tone_selections").execute();
  await db.schema.dropTable("shootouts").execute();
  await db.schema.dropTable("files").execute();
  await db.schema.dropTable("sessions").execute();
  await db.schema.dropTable("users").execute();
}
