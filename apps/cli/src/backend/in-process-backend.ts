import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { ingestUpload, UploadRejectedError } from "@shootout/api";
import type { Env } from "@shootout/config";
import {
  createCaller,
  createContextInner,
  createSession,
  getOwnedFile,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  toFileOutput,
} from "@shootout/router";
import type { Logger } from "pino";
import { CliFailure } from "../cli-errors.ts";
import type { Backend } from "./backend.ts";
import type { InProcessRuntime } from "./in-process-runtime.ts";
import { toJobProgressEvent } from "./job-progress-event.ts";
import { resolveUser } from "./resolve-user.ts";

/**
 * The CLI's session lasts this long, sliding (a long render keeps it alive), and is deleted when
 * the command ends: it exists so the procedures authorize the CLI exactly as they do a browser.
 */
const CLI_SESSION_TTL_MS = 2 * 60 * 60 * 1000;

/**
 * Procedures called in this process through the router's `createCaller`, as `userRef` (id or
 * username), over a real session of theirs: the same procedures, validation and authorization
 * as the API. Files go through the upload route's own `ingestUpload` and the storage directly.
 */
export async function createInProcessBackend(
  runtime: InProcessRuntime,
  env: Env,
  log: Logger,
  userRef: string,
): Promise<Backend> {
  const { db } = runtime.database;
  const user = await resolveUser(db, userRef);
  const { token, session } = await createSession(db, user.id, {
    ttlMs: CLI_SESSION_TTL_MS,
    userAgent: "shootout-cli (in-process)",
  });
  const context = createContextInner({
    db,
    storage: runtime.storage,
    jobQueue: runtime.jobQueue,
    sessionToken: token,
    sessionTtlMs: CLI_SESSION_TTL_MS,
    tone3000: runtime.tone3000,
    events: runtime.events,
    capabilities: { maxDiSeconds: env.MAX_DI_SECONDS },
    log,
  });
  const caller = createCaller(context);
  const me = async () => {
    const found = await caller.auth.me();
    if (!found) throw new CliFailure("the CLI's session was revoked while it ran");
    return {
      id: found.user.id,
      username: found.user.username,
      sessionId: found.session.id,
      tone3000Access: found.tone3000Access,
    };
  };
  const maxUploadBytes = env.MAX_UPLOAD_MB * 1024 * 1024;

  return {
    mode: "in-process",
    where: runtime.where,

    me,

    async upload(kind, filePath, name) {
      // Authorized like the route: the session must still be valid for this user.
      const owner = await me();
      try {
        const { file } = await ingestUpload(
          { db, storage: runtime.storage },
          { ownerId: owner.id, kind, name, body: createReadStream(filePath), maxBytes: maxUploadBytes },
        );
        return toFileOutput(file);
      } catch (error) {
        if (error instanceof UploadRejectedError) throw new CliFailure(`${filePath}: ${error.message}`);
        throw error;
      }
    },

    createShootout: (input) => caller.shootouts.create(input),
    getShootout: (shootoutId) => caller.shootouts.get({ shootoutId }),
    createJob: (shootoutId) => caller.jobs.create({ shootoutId }),
    getJob: (jobId) => caller.jobs.get({ jobId }),
    listJobs: (input) => caller.jobs.list(input),
    listFiles: (input) => caller.files.list(input),

    async download(fileId, destination) {
      // files.get authorizes (NOT_FOUND for someone else's); the row gives the storage key.
      await caller.files.get({ fileId });
      const row = await getOwnedFile(db, (await me()).id, fileId);
      await pipeline(await runtime.storage.get(row.storageKey), createWriteStream(destination));
    },

    async *watchJob(jobId, signal) {
      // A caller of its own: the signal ends the subscription (and its hub listener) on Ctrl-C.
      const stream = await createCaller(context, { signal }).jobs.onProgress({ jobId });
      for await (const raw of stream) yield toJobProgressEvent(raw);
    },

    async *watchMine(signal, onStarted) {
      const stream = await createCaller(context, { signal }).jobs.onMine();
      const iterator = stream[Symbol.asyncIterator]();
      try {
        // The procedure subscribes to the event hub synchronously in its first step.
        let step = iterator.next();
        onStarted?.();
        for (let result = await step; !result.done; result = await step) {
          yield toJobProgressEvent(result.value);
          step = iterator.next();
        }
      } finally {
        await iterator.return?.();
      }
    },

    listSessions: () => caller.auth.sessions.list(),

    async revokeSession(sessionId) {
      await caller.auth.sessions.revoke({ sessionId });
    },

    async revokeAllSessions() {
      const { id } = await me();
      const others = (await listUserSessions(db, id)).filter((s) => s.id !== session.id);
      // The domain function the sign-out-everywhere path uses; the CLI's own session goes too.
      await invalidateUserSessions(db, id);
      return others.length;
    },

    async close() {
      await invalidateSession(db, session.id).catch((error: unknown) => {
        log.warn({ err: error }, "could not delete the CLI's session");
      });
    },
  };
}
