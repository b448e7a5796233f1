import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_initial_schema.ts";
import * as m0002 from "./0002_jobs_owner_updated_idx.ts";
import * as m0003 from "./0003_storage_in_database.ts";
import * as m0004 from "./0004_tone_amp_size.ts";
import * as m0005 from "./0005_tone_cabinet.ts";
import * as m0006 from "./0006_tone_attribution.ts";
import * as m0007 from "./0007_rate_limit_buckets.ts";

// A static list rather than a folder scan: works the same under Node, vitest and any bundler.
export const migrations: Record<string, Migration> = {
  "0001_initial_schema": m0001,
  "0002_jobs_owner_updated_idx": m0002,
  "0003_storage_in_database": m0003,
  "0004_tone_amp_size": m0004,
  "0005_tone_cabinet": m0005,
  "0006_tone_attribution": m0006,
  "0007_rate_limit_buckets": m0007,
};
