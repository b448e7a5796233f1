import type { FileOutput, JobOutput, RouterInputs, RouterOutputs, ShootoutOutput } from "@shootout/router";
import type { JobProgressEvent } from "./job-progress-event.ts";

export type ShootoutCreate = RouterInputs["shootouts"]["create"];
export type JobsListInput = RouterInputs["jobs"]["list"];
export type FilesListInput = RouterInputs["files"]["list"];
export type SessionInfo = RouterOutputs["auth"]["sessions"]["list"][number];
export type Page<T> = { items: T[]; nextCursor: string | null };

export interface Caller {
  readonly id: string;
  readonly username: string;
  /** The session the calls are made with (the CLI's own, short-lived one in-process). */
  readonly sessionId: string;
  /** Whether the server holds Tone 3000 access for them (renders download models with it). */
  readonly tone3000Access: boolean;
}

/**
 * What the commands need of shootout, the same whether the procedures run in this process
 * (createCaller) or on a remote API (tRPC client + plain HTTP for files). Every call is made as one
 * user, through the router's procedures and so its authorization.
 */
export interface Backend {
  readonly mode: "in-process" | "remote";
  /** Where this backend runs, for messages ("embedded database at …", "http://…"). */
  readonly where: string;
  me(): Promise<Caller>;
  /** Uploads a local file the way `POST /files` does (sniffed, hashed, stored, recorded). */
  upload(kind: "di" | "ir", filePath: string, name: string): Promise<FileOutput>;
  createShootout(input: ShootoutCreate): Promise<ShootoutOutput>;
  getShootout(shootoutId: string): Promise<ShootoutOutput>;
  createJob(shootoutId: string): Promise<JobOutput>;
  getJob(jobId: string): Promise<JobOutput>;
  listJobs(input: JobsListInput): Promise<Page<JobOutput>>;
  listFiles(input: FilesListInput): Promise<Page<FileOutput>>;
  /** Writes one of the caller's files to `destination`. */
  download(fileId: string, destination: string): Promise<void>;
  /** jobs.onProgress: every event of the job, ending on its final state. */
  watchJob(jobId: string, signal: AbortSignal): AsyncIterable<JobProgressEvent>;
  /**
   * jobs.onMine: status changes of all the caller's jobs, until `signal` aborts. `onStarted` runs
   * once the subscription is in place (changes from then on are seen).
   */
  watchMine(signal: AbortSignal, onStarted?: () => void): AsyncIterable<JobProgressEvent>;
  listSessions(): Promise<SessionInfo[]>;
  revokeSession(sessionId: string): Promise<void>;
  /** Signs the user out everywhere; resolves to how many sessions (other than the CLI's own) ended. */
  revokeAllSessions(): Promise<number>;
  close(): Promise<void>;
}
