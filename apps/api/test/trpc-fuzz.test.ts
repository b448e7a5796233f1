import { appRouter, EFFECT_PRESETS, encodeCursor, GAIN_DB_LIMIT } from "@shootout/router";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { Findings, leaksIn, SERVER_ERROR_CODES } from "./fuzz/findings.ts";
import { type FuzzServer, type SignedInUser, startFuzzServer } from "./fuzz/fuzz-server.ts";
import { fuzzSettings, seedFor } from "./fuzz/fuzz-settings.ts";
import { schemaArbitrary } from "./fuzz/schema-arbitrary.ts";
import {
  callOverHttp,
  callOverWs,
  type Outcome,
  type ProcedureType,
  subscribeOverSse,
  subscribeOverWs,
  TRANSPORTS,
  type Transport,
  type WsIdentity,
  wsIdentity,
} from "./fuzz/trpc-transports.ts";
import { wavBytes } from "./helpers/audio-bytes.ts";
import { httpClient, validShootoutInput } from "./helpers/clients.ts";
import { upload, uploadedFile } from "./helpers/upload.ts";

// Every tRPC procedure, fuzzed from its own input schema over real HTTP, WebSocket and SSE, as
// its owner, as another signed-in user and signed out. Asserted for every case: no 5xx and no
// INTERNAL_SERVER_ERROR (inside a stream too), nothing in the answer that gives the server away
// (stack, paths, database messages); a foreign id answers exactly like a random one; after it
// all the server is healthy and nothing of the owner's was touched by anyone else.
// FUZZ_SEED and FUZZ_RUNS (cases per procedure) override; `pnpm fuzz` runs many more.

interface ProcedurePlan {
  /** Lower phases run first: destructive calls last, so the others meet live rows. */
  readonly phase: 0 | 1 | 2 | 3;
  /** Top-level input fields naming a row someone owns: a foreign one must answer like a random id. */
  readonly ownedIds: readonly string[];
  /** Ends the caller's session: each case gets a fresh real session of its own. */
  readonly endsSession?: boolean;
}

/** Every procedure must be here: a new one without a plan fails the suite (see the first test). */
const PLAN: Record<string, ProcedurePlan> = {
  "auth.me": { phase: 0, ownedIds: [] },
  "auth.sessions.list": { phase: 0, ownedIds: [] },
  "auth.sessions.revoke": { phase: 2, ownedIds: ["sessionId"] },
  "auth.logout": { phase: 3, ownedIds: [], endsSession: true },
  "files.get": { phase: 0, ownedIds: ["fileId"] },
  "files.list": { phase: 0, ownedIds: [] },
  "files.delete": { phase: 3, ownedIds: ["fileId"] },
  "shootouts.get": { phase: 0, ownedIds: ["shootoutId"] },
  "shootouts.latestResult": { phase: 0, ownedIds: ["shootoutId"] },
  "shootouts.list": { phase: 0, ownedIds: [] },
  "shootouts.listPublic": { phase: 0, ownedIds: [] },
  "shootouts.create": { phase: 1, ownedIds: ["diFileId"] },
  "shootouts.update": { phase: 1, ownedIds: ["shootoutId", "diFileId"] },
  "shootouts.reveal": { phase: 1, ownedIds: ["shootoutId"] },
  "shootouts.delete": { phase: 3, ownedIds: ["shootoutId"] },
  "jobs.onProgress": { phase: 0, ownedIds: ["jobId"] },
  "jobs.onMine": { phase: 0, ownedIds: [] },
  "jobs.get": { phase: 0, ownedIds: ["jobId"] },
  "jobs.list": { phase: 0, ownedIds: ["shootoutId"] },
  "jobs.create": { phase: 1, ownedIds: ["shootoutId"] },
  "jobs.cancel": { phase: 2, ownedIds: ["jobId"] },
  "jobs.retry": { phase: 2, ownedIds: ["jobId"] },
  "jobs.delete": { phase: 3, ownedIds: ["jobId"] },
  "tones.search": { phase: 0, ownedIds: [] },
  "tones.mine": { phase: 0, ownedIds: [] },
  "tones.favorites": { phase: 0, ownedIds: [] },
  "tones.get": { phase: 0, ownedIds: [] },
  "tones.models": { phase: 0, ownedIds: [] },
  "tones.modelInfo": { phase: 0, ownedIds: [] },
};

interface ProcedureDef {
  readonly path: string;
  readonly type: ProcedureType;
  readonly input: z.ZodType;
  readonly isPublic: boolean;
}

interface AnyProcedure {
  _def: { type: ProcedureType; inputs: z.ZodType[] };
}

const procedures: ProcedureDef[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
).map(([path, proc]) => {
  const [input] = proc._def.inputs;
  if (!input) throw new Error(`${path} has no input schema: give it one (z.void() for none)`);
  return { path, type: proc._def.type, input, isPublic: false };
});

type IdentityName = "owner" | "other" | "signed-out";
const IDENTITIES: readonly IdentityName[] = ["owner", "other", "signed-out"];
/** Of a procedure's cases: half as the owner, a quarter each as the other user and signed out. */
const SHARE: Record<IdentityName, number> = { owner: 0.5, other: 0.25, "signed-out": 0.25 };

/** Each procedure's cases go over its transports in this order, round and round. */
const TRANSPORT_TURNS: Record<ProcedureType, readonly Transport[]> = {
  query: ["http", "ws", "http-batch", "http-stream", "http", "ws", "http-stream", "http-wrong-method"],
  mutation: ["http", "ws", "http-batch", "http-stream", "http", "ws", "http-stream", "http-wrong-method"],
  subscription: ["ws", "sse"],
};

const settings = fuzzSettings();
const findings = new Findings();
/** Cases run, by procedure, identity and transport. */
const ran = new Map<string, number>();
/** Answers by procedure and code: how many cases got past validation to the procedure itself. */
const answers = new Map<string, Map<string, number>>();
let s: FuzzServer;
let owner: SignedInUser;
let other: SignedInUser;
const ws = new Map<IdentityName, WsIdentity>();

/** The owner's rows the fuzzer may use (and change, and delete) as the owner. */
const pool = {
  fileIds: [] as string[],
  irFileIds: [] as string[],
  shootoutIds: [] as string[],
  jobIds: [] as string[],
  sessionIds: [] as string[],
  cursors: [] as string[],
};
/** The owner's rows nobody fuzzes as the owner: only others try them, and they must stay as they are. */
const sentinel = { diFileId: "", irFileId: "", shootoutId: "", jobId: "", shootoutUpdatedAt: "" };

/**
 * The owner's ids no one else may ever see: files, sessions, and the private shootout and its
 * job. (A public shootout's latest job id is shown to anyone with its result, by design.)
 */
function privateIds(): string[] {
  return [
    ...Object.values(sentinel).filter((v) => /^[0-9a-f-]{36}$/.test(v)),
    ...pool.fileIds,
    ...pool.irFileIds,
    ...pool.sessionIds,
    owner.sessionId,
    owner.token,
  ];
}

function hintsFor(identity: IdentityName): Record<string, fc.Arbitrary<unknown>> {
  const foreign = identity !== "owner";
  const ids = (own: string[], extra: string) => fc.constantFrom(...own, ...(foreign && extra ? [extra] : []));
  const effects = [...EFFECT_PRESETS, "gain:-12", "gain:0", "gain:+6.5", `gain:${GAIN_DB_LIMIT}`, "gain:-0"];
  return {
    fileId: ids([...pool.fileIds, ...pool.irFileIds], sentinel.diFileId),
    diFileId: ids(pool.fileIds, sentinel.diFileId),
    irFileId: ids(pool.irFileIds, sentinel.irFileId),
    shootoutId: ids(pool.shootoutIds, sentinel.shootoutId),
    jobId: ids(pool.jobIds, sentinel.jobId),
    sessionId: ids(pool.sessionIds, foreign ? owner.sessionId : ""),
    cursor: fc.constantFrom(...pool.cursors),
    "effects[]": fc.constantFrom(...effects),
    tone3000ToneId: fc.constantFrom("101", "102", "103"),
    tone3000ModelId: fc.constantFrom("1001", "1002", "1003", "1004"),
    id: fc.constantFrom(101, 102, 103, 104, 999_999),
    toneId: fc.constantFrom(101, 102, 103),
  };
}

function tokenOf(identity: IdentityName): string | null {
  return identity === "owner" ? owner.token : identity === "other" ? other.token : null;
}

async function call(
  proc: ProcedureDef,
  identity: IdentityName,
  transport: Transport,
  input: unknown,
): Promise<Outcome> {
  let token = tokenOf(identity);
  let socket = ws.get(identity)!;
  const fresh = PLAN[proc.path]?.endsSession && token !== null;
  if (fresh) {
    token = (await s.extraSession(identity === "owner" ? owner.id : other.id)).token;
    if (transport === "ws") socket = wsIdentity(s.url, token);
  }
  try {
    if (proc.type === "subscription") {
      return transport === "sse"
        ? await subscribeOverSse(s.url, token, proc.path, input)
        : await subscribeOverWs(socket, proc.path, input);
    }
    if (transport === "ws") return await callOverWs(socket, proc.path, proc.type, input);
    return await callOverHttp(
      s.url,
      token,
      proc.path,
      proc.type,
      input,
      transport as "http" | "http-batch" | "http-stream" | "http-wrong-method",
    );
  } finally {
    if (fresh && transport === "ws") await socket.close();
  }
}

/** Everything an answer must never be, recorded as findings. */
function check(where: string, input: unknown, outcome: Outcome, expectCode?: string): void {
  const shown = (() => {
    try {
      return JSON.stringify(input) ?? "undefined";
    } catch {
      return String(input);
    }
  })();
  const answer = `${outcome.status ?? "-"} ${outcome.code} ${outcome.message} | ${outcome.text}`;
  if ((outcome.status ?? 0) >= 500 || SERVER_ERROR_CODES.has(outcome.code)) {
    findings.add(`${outcome.code} (${outcome.status ?? "no status"})`, outcome.message, where, shown, answer);
  }
  if (outcome.code === "TIMEOUT") findings.add("no answer", outcome.message, where, shown, answer);
  for (const leak of leaksIn(outcome.text)) findings.add("leak", leak, where.split(" ")[0]!, shown, answer);
  if (expectCode && outcome.code !== expectCode && outcome.status !== 405 && outcome.status !== 431) {
    findings.add(`expected ${expectCode}`, `got ${outcome.code}`, where, shown, answer);
  }
}

/** Runs `tasks` with at most `width` in flight. */
async function inParallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  });
  await Promise.all(lanes);
}

async function fuzzProcedure(proc: ProcedureDef, identity: IdentityName): Promise<void> {
  // At least one round of its transports, however few runs are asked for.
  const runs = Math.max(TRANSPORT_TURNS[proc.type].length, Math.round(settings.runs * SHARE[identity]));
  const inputs = fc.sample(schemaArbitrary(proc.input, { byName: hintsFor(identity) }), {
    seed: seedFor(settings.seed, `${proc.path}/${identity}`),
    numRuns: runs,
  });
  // Transports in turn (the wrong method less often), so every one is covered even in short runs.
  const turns = TRANSPORT_TURNS[proc.type];
  const cases = inputs.map((input, i) => [input, turns[i % turns.length]!] as const);
  // Signed out, a protected procedure refuses before it reads its input.
  const expectCode = identity === "signed-out" && !proc.isPublic ? "UNAUTHORIZED" : undefined;
  await inParallel(cases, 8, async ([input, transport]) => {
    const outcome = await call(proc, identity, transport, input);
    const key = `${proc.path}|${identity}|${transport}`;
    ran.set(key, (ran.get(key) ?? 0) + 1);
    const codes = answers.get(proc.path) ?? new Map<string, number>();
    codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
    answers.set(proc.path, codes);
    if (process.env.FUZZ_TRACE === proc.path)
      console.log(identity, transport, JSON.stringify(input), outcome.code, JSON.stringify(outcome.message));
    const where = `${proc.path} ${identity} ${transport}`;
    check(where, input, outcome, expectCode);
    // Nothing of the owner's that is not public may reach anyone else in an answer.
    if (identity !== "owner" && outcome.code === "OK") {
      for (const id of privateIds()) {
        if (outcome.text.includes(id))
          findings.add("cross-user leak", proc.path, where, JSON.stringify(input), outcome.text);
      }
    }
  });
}

beforeAll(async () => {
  s = await startFuzzServer();
  owner = await s.signIn();
  other = await s.signIn("t3k-community");
  for (const identity of IDENTITIES) ws.set(identity, wsIdentity(s.url, tokenOf(identity)));

  // Which procedures anyone may call: a signed-out call of those is not UNAUTHORIZED.
  for (const proc of procedures) {
    const outcome = await callOverHttp(
      s.url,
      null,
      proc.path,
      proc.type === "mutation" ? "mutation" : "query",
      {},
      "http",
    );
    (proc as { isPublic: boolean }).isPublic = outcome.code !== "UNAUTHORIZED";
  }

  // The owner's rows, made through the real routes.
  const client = httpClient(s.url, owner.token);
  const uploadDi = async (samples: number) =>
    uploadedFile.parse(await (await upload(s.url, owner.token, wavBytes(samples))).json()).id;
  const uploadIr = async () =>
    uploadedFile.parse(
      await (await upload(s.url, owner.token, wavBytes(480), { kind: "ir", name: "cab.wav" })).json(),
    ).id;
  pool.fileIds.push(await uploadDi(24_000), await uploadDi(30_000));
  pool.irFileIds.push(await uploadIr());
  sentinel.diFileId = await uploadDi(26_000);
  sentinel.irFileId = await uploadIr();
  // Real tone/model pairs of the stand-in's catalogue (tones may be checked upstream at save time).
  const CATALOG_PAIRS = [
    ["101", "1001"],
    ["102", "1003"],
  ] as const;
  const tones = (irFileId: string | null) =>
    validShootoutInput("").tones.map((t, i) => ({
      ...t,
      tone3000ToneId: CATALOG_PAIRS[i % 2]![0],
      tone3000ModelId: CATALOG_PAIRS[i % 2]![1],
      irFileId,
    }));
  for (const extra of [{}, { isPublic: true }, { blind: true }]) {
    const created = await client.shootouts.create.mutate({
      ...validShootoutInput(pool.fileIds[0]!, "fuzzed"),
      tones: tones(pool.irFileIds[0]!),
      ...extra,
    });
    pool.shootoutIds.push(created.id);
  }
  for (const shootoutId of pool.shootoutIds.slice(0, 2)) {
    pool.jobIds.push((await client.jobs.create.mutate({ shootoutId })).id);
  }
  const kept = await client.shootouts.create.mutate({
    ...validShootoutInput(sentinel.diFileId, "not yours"),
    tones: tones(sentinel.irFileId),
    blind: true,
  });
  sentinel.shootoutId = kept.id;
  sentinel.shootoutUpdatedAt = kept.updatedAt;
  sentinel.jobId = (await client.jobs.create.mutate({ shootoutId: kept.id })).id;
  for (let i = 0; i < 3; i++) pool.sessionIds.push((await s.extraSession(owner.id)).sessionId);

  // Real cursors (one row per page), and well-formed ones that point nowhere or at impossible times.
  for (const page of [
    await client.files.list.query({ limit: 1 }),
    await client.shootouts.list.query({ limit: 1 }),
    await client.jobs.list.query({ limit: 1 }),
  ]) {
    if (page.nextCursor) pool.cursors.push(page.nextCursor);
  }
  for (const createdAt of [
    "2024-06-01T12:00:00.000000Z",
    "2024-02-30T00:00:00.000000Z",
    "0000-01-01T00:00:00.000000Z",
    "9999-12-31T23:59:59.999999Z",
  ]) {
    pool.cursors.push(encodeCursor({ createdAt, id: crypto.randomUUID() }));
  }
  pool.cursors.push(encodeCursor({ createdAt: "2024-06-01T12:00:00.000000Z", id: sentinel.shootoutId }));
}, 120_000);

afterAll(async () => {
  for (const socket of ws.values()) await socket.close();
  await s?.close();
});

describe("every tRPC procedure, fuzzed from its input schema", () => {
  it("has a fuzz plan for every procedure of the router", () => {
    const missing = procedures.map((p) => p.path).filter((path) => !(path in PLAN));
    const stale = Object.keys(PLAN).filter((path) => !procedures.some((p) => p.path === path));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it("answers a foreign id exactly as it answers a random one", async () => {
    const sentinelFor = (field: string): string =>
      field === "sessionId"
        ? owner.sessionId
        : field === "irFileId"
          ? sentinel.irFileId
          : field.endsWith("ileId")
            ? sentinel.diFileId
            : field === "jobId"
              ? sentinel.jobId
              : sentinel.shootoutId;
    const normalized = (o: Outcome, ids: string[]) => {
      let text = `${o.status ?? "-"} ${o.code} ${o.message}`;
      for (const id of ids) text = text.replaceAll(id, "<id>");
      return text;
    };
    let compared = 0;
    const differences: string[] = [];
    for (const proc of procedures) {
      const fields = PLAN[proc.path]?.ownedIds ?? [];
      for (const identity of ["other", "signed-out"] as const) {
        for (const field of fields) {
          const inputs = fc.sample(schemaArbitrary(proc.input, { byName: hintsFor(identity) }), {
            seed: seedFor(settings.seed, `${proc.path}/${identity}/${field}/foreign`),
            numRuns: 6,
          });
          for (const [i, generated] of inputs.entries()) {
            const base =
              generated && typeof generated === "object" && !Array.isArray(generated) ? generated : {};
            const foreignId = sentinelFor(field);
            const randomId = field === "sessionId" ? "z".repeat(foreignId.length) : crypto.randomUUID();
            const transport = TRANSPORT_TURNS[proc.type][i % 2]!;
            const foreign = await call(proc, identity, transport, { ...base, [field]: foreignId });
            const random = await call(proc, identity, transport, { ...base, [field]: randomId });
            compared++;
            const a = normalized(foreign, [foreignId]);
            const b = normalized(random, [randomId]);
            if (a !== b)
              differences.push(
                `${proc.path} ${identity} ${transport} ${field}: foreign "${a}" vs random "${b}"`,
              );
          }
        }
      }
    }
    console.log(`cross-user: ${compared} foreign/random pairs compared`);
    expect(differences).toEqual([]);
  }, 300_000);

  it("never answers 5xx, an internal error or a stack, over HTTP, WebSocket and SSE", async () => {
    const started = performance.now();
    for (const phase of [0, 1, 2, 3] as const) {
      for (const proc of procedures.filter((p) => PLAN[p.path]?.phase === phase)) {
        for (const identity of IDENTITIES) await fuzzProcedure(proc, identity);
      }
    }
    // Error answers were checked per case; what else the sockets carried (the events of a
    // stream after its first, started/stopped notes), here.
    for (const [identity, socket] of ws) {
      for (const message of socket.messages) {
        if (message.includes('"error":')) continue;
        for (const leak of leaksIn(message)) findings.add("leak", leak, `ws ${identity}`, "", message);
      }
    }
    // What the server logged as failing, besides the internal errors already reported per case.
    for (const entry of s.errorLogs) {
      if (entry.msg !== "call failed")
        findings.add("logged error", `${entry.msg}: ${entry.err?.message ?? ""}`, "log", "", "");
    }
    const total = [...ran.values()].reduce((a, b) => a + b, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `tRPC fuzz: seed ${settings.seed} (FUZZ_SEED), ${settings.runs} cases per procedure (FUZZ_RUNS), ` +
        `${procedures.length} procedures, ${total} cases in ${seconds} s; ${findings.size} distinct finding(s)`,
    );
    console.log(
      [...answers]
        .map(([path, codes]) => `  ${path}: ${[...codes].map(([code, n]) => `${code} ${n}`).join(", ")}`)
        .join("\n"),
    );
    if (findings.size) console.log(findings.report());

    // Every procedure ran as every identity, over every transport of its kind.
    const uncovered = procedures.flatMap((p) =>
      IDENTITIES.flatMap((identity) =>
        TRANSPORTS[p.type]
          .filter((t) => !ran.get(`${p.path}|${identity}|${t}`))
          .map((t) => `${p.path} ${identity} ${t}`),
      ),
    );
    expect(uncovered).toEqual([]);
    expect(findings.report()).toBe("");
  }, 600_000);

  it("is healthy after: /healthz, /readyz, and a normal call over each transport", async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect((await httpClient(s.url, owner.token).auth.me.query())?.user.id).toBe(owner.id);
    const me = await callOverWs(ws.get("owner")!, "auth.me", "query", undefined);
    expect(me.code).toBe("OK");
    expect(JSON.parse(me.text).user.id).toBe(owner.id);
    const sse = await subscribeOverSse(s.url, owner.token, "jobs.onProgress", { jobId: sentinel.jobId });
    expect(sse.code).toBe("OK");
    // Every stream the fuzzer opened was closed by it: none is still registered with the hub.
    for (let waited = 0; waited < 5_000 && s.events.listenerCount() > 0; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(s.events.listenerCount()).toBe(0);
  });

  it("left the owner's rows alone: nobody else changed, rendered or deleted them", async () => {
    const db = s.database.db;
    const shootout = await db
      .selectFrom("shootouts")
      .select(["updatedAt", "ownerId"])
      .where("id", "=", sentinel.shootoutId)
      .executeTakeFirstOrThrow();
    expect(new Date(shootout.updatedAt).toISOString()).toBe(sentinel.shootoutUpdatedAt);
    expect(shootout.ownerId).toBe(owner.id);
    // Rendered by the worker as any job is; never cancelled, retried or deleted by anyone else.
    const job = await db
      .selectFrom("jobs")
      .select(["status", "cancelRequestedAt", "attempts"])
      .where("id", "=", sentinel.jobId)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: "completed", cancelRequestedAt: null, attempts: 1 });
    const files = await db
      .selectFrom("files")
      .select("id")
      .where("id", "in", [sentinel.diFileId, sentinel.irFileId])
      .execute();
    expect(files).toHaveLength(2);
    // No shootout, job or file of the other user's came into being from the owner's rows.
    const others = await db.selectFrom("shootouts").select("id").where("ownerId", "=", other.id).execute();
    expect(others).toEqual([]);
    const session = await db.selectFrom("sessions").select("id").where("id", "=", owner.sessionId).execute();
    expect(session).toHaveLength(1);
  });
});
