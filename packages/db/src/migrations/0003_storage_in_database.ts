import { type Kysely, sql } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.
// The database storage backend (STORAGE_BACKEND=database): stored bytes in Postgres itself, so an
// API and workers on several machines share them with nothing but the database in common.
// A blob is one put's bytes in 1 MiB chunks, written as they stream in; an object names a
// finished blob by its content key. A blob no object names is a put in progress or abandoned.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("storage_blobs")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable("storage_chunks")
    .addColumn("blob_id", "uuid", (c) => c.notNull().references("storage_blobs.id").onDelete("cascade"))
    .addColumn("index", "integer", (c) => c.notNull())
    .addColumn("bytes", "bytea", (c) => c.notNull())
    .addPrimaryKeyConstraint("storage_chunks_pkey", ["blob_id", "index"])
    .addCheckConstraint("storage_chunks_index", sql`index >= 0`)
    .execute();
  // Audio and video hardly compress: storing chunks uncompressed saves the attempt on every write.
  await sql`alter table storage_chunks alter column bytes set storage external`.execute(db);
  await db.schema
    .createTable("storage_objects")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("blob_id", "uuid", (c) =>
      c.notNull().unique().references("storage_blobs.id").onDelete("cascade"),
    )
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("storage_objects_size", sql`size >= 0`)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("storage_objects").execute();
  await db.schema.dropTable("storage_chunks").execute();
  await db.schema.dropTable("storage_blobs").execute();
}
