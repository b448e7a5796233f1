import {
  createTRPCUntypedClient,
  createWSClient,
  httpSubscriptionLink,
  TRPCClientError,
  type TRPCUntypedClient,
  wsLink,
} from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { EventSource } from "eventsource";
import { toWireJson } from "./schema-arbitrary.ts";

export type ProcedureType = "query" | "mutation" | "subscription";

/** How one case reaches the server. */
export type Transport =
  | "http" // GET for a query, POST for a mutation (httpLink's wire format)
  | "http-batch" // the same as a batch of one (httpBatchLink's)
  | "http-stream" // a batch of one answered as JSON lines (httpBatchStreamLink's, the web app's)
  | "http-wrong-method" // POST for a query, GET for a mutation: 405
  | "ws" // wsLink over one long-lived socket per identity
  | "sse"; // httpSubscriptionLink (EventSource)

export const TRANSPORTS: Record<ProcedureType, readonly Transport[]> = {
  query: ["http", "http-batch", "http-stream", "ws", "http-wrong-method"],
  mutation: ["http", "http-batch", "http-stream", "ws", "http-wrong-method"],
  subscription: ["ws", "sse"],
};

/** What came back, whatever the transport. */
export interface Outcome {
  /** The HTTP status, when the call had its own request (HTTP, SSE). */
  readonly status: number | null;
  /** "OK", the tRPC error code, or how the call went wrong on the way (TIMEOUT, CONNECTION). */
  readonly code: string;
  readonly message: string;
  /** The answer as text (for SSE, the whole stream read), for the leak checks. */
  readonly text: string;
}

const CALL_TIMEOUT_MS = 15_000;
/** How long a started subscription is watched for a first event or error. */
const SUBSCRIPTION_WATCH_MS = 150;

interface WireError {
  message?: unknown;
  data?: { code?: unknown; httpStatus?: unknown };
}

function errorOf(body: unknown): WireError | null {
  const one = Array.isArray(body) ? body[0] : body;
  if (one && typeof one === "object" && "error" in one) return (one as { error: WireError }).error;
  return null;
}

/** A query or mutation over plain HTTP, as the tRPC links send it (or with the wrong method). */
export async function callOverHttp(
  baseUrl: string,
  token: string | null,
  path: string,
  type: "query" | "mutation",
  input: unknown,
  transport: "http" | "http-batch" | "http-stream" | "http-wrong-method",
): Promise<Outcome> {
  const wire = input === undefined ? undefined : toWireJson(input);
  const streamed = transport === "http-stream";
  const batch = transport === "http-batch" || streamed;
  const payload = batch ? `{"0":${wire ?? "{}"}}` : wire;
  const useGet = (type === "query") !== (transport === "http-wrong-method");
  const params = new URLSearchParams();
  if (batch) params.set("batch", "1");
  if (useGet && payload !== undefined) params.set("input", payload);
  const query = params.size ? `?${params}` : "";
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (!useGet) headers["content-type"] = "application/json";
  if (streamed) headers["trpc-accept"] = "application/jsonl";
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/trpc/${path}${query}`, {
      method: useGet ? "GET" : "POST",
      headers,
      ...(useGet ? {} : { body: payload ?? "" }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    return { status: null, code: "CONNECTION", message: String(error), text: "" };
  }
  const text = await response.text();
  if (streamed && response.ok) {
    // 200 whatever the outcome: the call's error, if any, is inside the lines.
    const code = /"data":\{[^{}]*?"code":"([A-Z_]+)"/.exec(text)?.[1];
    const quoted = /"message":("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
    const message = quoted && code ? String(JSON.parse(quoted)) : "";
    return { status: response.status, code: code ?? "OK", message, text };
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (431 from node:http for a huge URL, for one): the status says it all.
  }
  const error = errorOf(body);
  return {
    status: response.status,
    code: error ? String(error.data?.code ?? "UNKNOWN") : response.ok ? "OK" : `HTTP_${response.status}`,
    message: error ? String(error.message ?? "") : "",
    text,
  };
}

function outcomeOfError(error: unknown, status: number | null): Outcome {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: unknown } | undefined;
    const text = JSON.stringify(error.shape ?? { message: error.message });
    return {
      status,
      code: data?.code ? String(data.code) : "CONNECTION",
      message: error.message,
      text,
    };
  }
  return { status, code: "CONNECTION", message: String(error), text: "" };
}

/** A WebSocket that keeps every message the server sent, for the leak checks. */
export function recordingWebSocket(messages: string[]): typeof WebSocket {
  return class RecordingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        messages.push(typeof event.data === "string" ? event.data : String(event.data));
      });
    }
  };
}

export interface WsIdentity {
  readonly client: TRPCUntypedClient<AnyTRPCRouter>;
  /** Every message the server sent on this identity's socket(s). */
  readonly messages: string[];
  close(): Promise<void>;
}

/** One wsLink client (one socket, reconnecting as wsLink does) for one identity. */
export function wsIdentity(baseUrl: string, token: string | null): WsIdentity {
  const messages: string[] = [];
  const socket = createWSClient({
    url: `${baseUrl.replace("http", "ws")}/trpc`,
    ...(token ? { connectionParams: { token } } : {}),
    WebSocket: recordingWebSocket(messages),
  });
  const client = createTRPCUntypedClient<AnyTRPCRouter>({ links: [wsLink({ client: socket })] });
  return { client, messages, close: () => socket.close() };
}

/** A query or mutation over the identity's WebSocket. */
export async function callOverWs(
  ws: WsIdentity,
  path: string,
  type: "query" | "mutation",
  input: unknown,
): Promise<Outcome> {
  const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
  try {
    const data =
      type === "query"
        ? await ws.client.query(path, input, { signal })
        : await ws.client.mutation(path, input, { signal });
    return { status: null, code: "OK", message: "", text: JSON.stringify(data) ?? "" };
  } catch (error) {
    if (signal.aborted) return { status: null, code: "TIMEOUT", message: "no answer", text: "" };
    return outcomeOfError(error, null);
  }
}

/**
 * Subscribes, watches the stream until its first event, error or end (or briefly after it
 * started), then unsubscribes. An error inside the stream is the outcome's code.
 */
function watch(
  client: TRPCUntypedClient<AnyTRPCRouter>,
  path: string,
  input: unknown,
  status: () => number | null,
  earlyEnd: (finish: (outcome: Outcome) => void) => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const data: string[] = [];
    let done = false;
    let sub: { unsubscribe(): void } | null = null;
    let watchTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      clearTimeout(watchTimer);
      queueMicrotask(() => sub?.unsubscribe());
      resolve(outcome);
    };
    const ok = (): Outcome => ({ status: status(), code: "OK", message: "", text: data.join("\n") });
    const overall = setTimeout(
      () => finish({ status: status(), code: "TIMEOUT", message: "subscription never started", text: "" }),
      CALL_TIMEOUT_MS,
    );
    earlyEnd(finish);
    sub = client.subscription(path, input, {
      onStarted() {
        watchTimer = setTimeout(() => finish(ok()), SUBSCRIPTION_WATCH_MS);
      },
      onData(value: unknown) {
        data.push(JSON.stringify(value) ?? "");
        finish(ok());
      },
      onError(error: unknown) {
        finish(outcomeOfError(error, status()));
      },
      onComplete() {
        finish(ok());
      },
    });
  });
}

export function subscribeOverWs(ws: WsIdentity, path: string, input: unknown): Promise<Outcome> {
  return watch(
    ws.client,
    path,
    input,
    () => null,
    () => {},
  );
}

/**
 * A subscription over SSE (httpSubscriptionLink with EventSource), on its own request: its HTTP
 * status and every byte of the stream are kept, for the checks.
 */
export async function subscribeOverSse(
  baseUrl: string,
  token: string | null,
  path: string,
  input: unknown,
): Promise<Outcome> {
  let status: number | null = null;
  const raw: string[] = [];
  let refuse: ((outcome: Outcome) => void) | null = null;
  const recordingFetch: typeof fetch = async (target, init) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    const response = await fetch(target, { ...init, headers });
    status = response.status;
    if (!response.body) return response;
    const [mine, theirs] = response.body.tee();
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of mine) raw.push(decoder.decode(chunk, { stream: true }));
      } catch {
        // The stream ends with the subscription.
      }
    })();
    if (!response.ok) {
      // EventSource would retry a refused request for ever: the status is the answer.
      const text = await new Response(theirs).text();
      refuse?.({ status: response.status, code: `HTTP_${response.status}`, message: "", text });
      return new Response(null, { status: response.status });
    }
    return new Response(theirs, { status: response.status, headers: response.headers });
  };
  const client = createTRPCUntypedClient<AnyTRPCRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        EventSource,
        eventSourceOptions: { fetch: recordingFetch },
      }),
    ],
  });
  const outcome = await watch(
    client,
    path,
    input,
    () => status,
    (finish) => {
      refuse = finish;
    },
  );
  // What the stream carried so far counts too (a serialized error, data).
  return { ...outcome, text: `${outcome.text}\n${raw.join("")}` };
}
