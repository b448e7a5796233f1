import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createLiveWsClient } from "@shootout/live-socket";
import { type AppRouter, fileOutput } from "@shootout/router";
import { createTRPCClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import { z } from "zod";
import { CliFailure } from "../cli-errors.ts";
import type { Backend } from "./backend.ts";
import { toJobProgressEvent } from "./job-progress-event.ts";
import { subscriptionIterable } from "./subscription-iterable.ts";

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

async function httpFailure(response: Response, what: string): Promise<CliFailure> {
  const text = await response.text().catch(() => "");
  let detail = text.slice(0, 300) || response.statusText;
  try {
    const body = errorBody.safeParse(JSON.parse(text));
    if (body.success) detail = body.data.error.message;
  } catch {
    // Not JSON: keep the text.
  }
  return new CliFailure(`${what}: HTTP ${response.status}: ${detail}`);
}

/**
 * The same operations against a running API, as the holder of a bearer token: tRPC over HTTP
 * batches for queries and mutations, over a WebSocket for live progress (subscriptions), and the
 * plain file routes (`POST /files`, `GET /files/:id`) for bytes.
 */
export function createRemoteBackend(apiUrl: string, token: string): Backend {
  const base = apiUrl.replace(/\/+$/, "");
  const authorization = { authorization: `Bearer ${token}` };
  // Lazy: commands without a subscription never open the socket. A dead one is noticed within
  // ~10 s and replaced; a watched job resumes after its last event.
  const ws = createLiveWsClient({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    connectionParams: { token },
    idleCloseMs: 0,
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: ws }),
        false: httpBatchLink({ url: `${base}/trpc`, headers: () => authorization }),
      }),
    ],
  });

  return {
    mode: "remote",
    where: base,

    async me() {
      const me = await client.auth.me.query();
      if (!me) throw new CliFailure(`${base} does not accept this token (signed out, revoked or expired)`);
      return {
        id: me.user.id,
        username: me.user.username,
        sessionId: me.session.id,
        tone3000Access: me.tone3000Access,
      };
    },

    async upload(kind, filePath, name) {
      const size = (await stat(filePath)).size;
      const params = new URLSearchParams({ kind, name });
      const response = await fetch(`${base}/files?${params}`, {
        method: "POST",
        headers: {
          ...authorization,
          "content-length": String(size),
          "content-type": "application/octet-stream",
        },
        body: Readable.toWeb(createReadStream(filePath)) as ReadableStream<Uint8Array>,
        duplex: "half",
      } as RequestInit);
      if (response.status !== 201) throw await httpFailure(response, `uploading ${filePath}`);
      return fileOutput.parse(await response.json());
    },

    createShootout: (input) => client.shootouts.create.mutate(input),
    getShootout: (shootoutId) => client.shootouts.get.query({ shootoutId }),
    createJob: (shootoutId) => client.jobs.create.mutate({ shootoutId }),
    getJob: (jobId) => client.jobs.get.query({ jobId }),
    listJobs: (input) => client.jobs.list.query(input),
    listFiles: (input) => client.files.list.query(input),

    async download(fileId, destination) {
      const response = await fetch(`${base}/files/${encodeURIComponent(fileId)}`, { headers: authorization });
      if (response.status !== 200 || !response.body)
        throw await httpFailure(response, `downloading ${fileId}`);
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        createWriteStream(destination),
      );
    },

    async *watchJob(jobId, signal) {
      const events = subscriptionIterable<unknown>(
        (handlers) => client.jobs.onProgress.subscribe({ jobId }, handlers),
        signal,
      );
      for await (const raw of events) yield toJobProgressEvent(raw);
    },

    async *watchMine(signal, onStarted) {
      const events = subscriptionIterable<unknown>(
        (handlers) =>
          client.jobs.onMine.subscribe(undefined, { ...handlers, onStarted: () => onStarted?.() }),
        signal,
      );
      for await (const raw of events) yield toJobProgressEvent(raw);
    },

    listSessions: () => client.auth.sessions.list.query(),

    async revokeSession(sessionId) {
      await client.auth.sessions.revoke.mutate({ sessionId });
    },

    async revokeAllSessions() {
      const sessions = await client.auth.sessions.list.query();
      // Others first: once the token's own session is gone, no further call is accepted.
      const ordered = [...sessions.filter((s) => !s.current), ...sessions.filter((s) => s.current)];
      for (const session of ordered) await client.auth.sessions.revoke.mutate({ sessionId: session.id });
      return sessions.length;
    },

    async close() {
      await ws.close();
    },
  };
}
