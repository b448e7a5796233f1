import type { Database } from "@shootout/db";
import { createDatabaseStorage } from "./database-storage.ts";
import { createLocalStorage } from "./local-storage.ts";
import { createS3Storage, type S3StorageOptions } from "./s3-storage.ts";
import { type Storage, StorageError } from "./storage.ts";

export interface StorageSettings {
  /** STORAGE_BACKEND: a local directory, the database every process already shares, or an S3 bucket. */
  readonly STORAGE_BACKEND: "local" | "database" | "s3";
  /** STORAGE_DIR: the directory of the local backend. */
  readonly STORAGE_DIR: string;
  /** The S3 backend's (see @shootout/config's env schema for what each means). */
  readonly S3_ENDPOINT?: string | undefined;
  readonly S3_REGION?: string | undefined;
  readonly S3_BUCKET?: string | undefined;
  readonly S3_ACCESS_KEY_ID?: string | undefined;
  readonly S3_SECRET_ACCESS_KEY?: string | undefined;
  readonly S3_FORCE_PATH_STYLE?: boolean | undefined;
  readonly S3_PRESIGN_DOWNLOAD_SECONDS?: number | undefined;
  readonly S3_PUBLIC_ENDPOINT?: string | undefined;
}

/** The storage the settings ask for: what the API, the worker and the CLI all open alike. */
export function storageFromSettings(
  settings: StorageSettings,
  database: Pick<Database, "db" | "backend">,
): Storage {
  switch (settings.STORAGE_BACKEND) {
    case "database":
      return createDatabaseStorage(database.db, { writeAsText: database.backend === "pglite" });
    case "s3":
      return createS3Storage(s3OptionsFromSettings(settings));
    default:
      return createLocalStorage(settings.STORAGE_DIR);
  }
}

/** The S3 backend's options from the S3_* settings. */
export function s3OptionsFromSettings(settings: StorageSettings): S3StorageOptions {
  if (!settings.S3_BUCKET) throw new StorageError("unavailable", "STORAGE_BACKEND=s3 needs S3_BUCKET");
  return {
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION ?? "us-east-1",
    bucket: settings.S3_BUCKET,
    credentials:
      settings.S3_ACCESS_KEY_ID && settings.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: settings.S3_ACCESS_KEY_ID, secretAccessKey: settings.S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
    presign: settings.S3_PRESIGN_DOWNLOAD_SECONDS
      ? { seconds: settings.S3_PRESIGN_DOWNLOAD_SECONDS, publicEndpoint: settings.S3_PUBLIC_ENDPOINT }
      : undefined,
  };
}

/** Where the settings put stored bytes, in words: the CLI's messages name it so. */
export function storagePlace(settings: StorageSettings): string {
  switch (settings.STORAGE_BACKEND) {
    case "local":
      return settings.STORAGE_DIR;
    case "database":
      return "the database";
    case "s3":
      return `the S3 bucket "${settings.S3_BUCKET}" at ${settings.S3_ENDPOINT ?? `AWS S3 (${settings.S3_REGION ?? "us-east-1"})`}`;
  }
}

/** For the start-up log: which backend, and where when that is a directory or a bucket. */
export function describeStorage(settings: StorageSettings): {
  storage: string;
  dir?: string;
  endpoint?: string;
  bucket?: string;
  presignedDownloads?: boolean;
} {
  switch (settings.STORAGE_BACKEND) {
    case "local":
      return { storage: "local", dir: settings.STORAGE_DIR };
    case "s3":
      return {
        storage: "s3",
        endpoint: settings.S3_ENDPOINT ?? `AWS S3 (${settings.S3_REGION ?? "us-east-1"})`,
        ...(settings.S3_BUCKET ? { bucket: settings.S3_BUCKET } : {}),
        presignedDownloads: Boolean(settings.S3_PRESIGN_DOWNLOAD_SECONDS),
      };
    default:
      return { storage: settings.STORAGE_BACKEND };
  }
}
