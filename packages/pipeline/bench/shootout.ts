/**
 * pnpm bench:shootout — one shootout through the real pipeline: 5 tones × 30 s DI, all with the
 * standard A1 WaveNet (bundled copy of wavenet_a1_standard.nam), outputs WAV + FLAC + MP4.
 * Prints wall time, x-realtime and the time per stage so the slowest one is obvious.
 * Each tone has a model of its own (copies of the standard WaveNet whose output level differs by
 * a hair, so their bytes differ and the pipeline renders NAM once per tone, as for five different
 * amps). BENCH_SAME_MODEL=1 gives every tone the one model instead: a cab shootout, where the
 * pipeline renders NAM once and shares it.
 *   BENCH_SECONDS=30 BENCH_TONES=5 BENCH_THREADS=<cores> BENCH_SAME_MODEL=0 node packages/pipeline/bench/shootout.ts
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeWav } from "@shootout/audio";
import { createDb, migrateToLatest } from "@shootout/db";
import type { JobRow } from "@shootout/jobs";
import {
  createTone3000ClientFactory,
  createTone3000TokenStore,
  upsertUserByTone3000Id,
} from "@shootout/router";
import { createLocalStorage, putBytes } from "@shootout/storage";
import { createTokenCipher, createTone3000StandIn, generateTokenCipherKey } from "@shootout/tone3000";
import { pino } from "pino";
import { createRenderPool, createShootoutPipeline, shootoutResultSchema } from "../src/index.ts";
import { loginToStandIn } from "../test/harness.ts";
import { loopedReferenceTake } from "../test/reference-take.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = path.resolve(here, "../../tone3000/catalog");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const TONES = Number(process.env.BENCH_TONES ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? os.availableParallelism());
const SAME_MODEL = process.env.BENCH_SAME_MODEL === "1";

const work = mkdtempSync(path.join(os.tmpdir(), "bench-shootout-"));

// The stand-in's catalog plus TONES - 1 variants of the standard model (ids 9001…) under its tone.
const catalogDir = path.join(work, "catalog");
cpSync(catalog, catalogDir, { recursive: true });
const catalogJson = JSON.parse(readFileSync(path.join(catalog, "catalog.json"), "utf8")) as {
  tones: { id: number; models: { id: number; name: string; file: string }[] }[];
};
const standardTone = catalogJson.tones.find((t) => t.models.some((m) => m.id === 1001))!;
const standardModel = standardTone.models.find((m) => m.id === 1001)!;
const standardNam = JSON.parse(readFileSync(path.join(catalog, standardModel.file), "utf8")) as {
  weights: number[];
};
const modelIds = ["1001"];
for (let k = 1; k < TONES; k++) {
  const weights = [...standardNam.weights];
  // The last weight is the head scale: the same network, a level 0.01 dB apart per variant.
  weights[weights.length - 1] = weights.at(-1)! * 10 ** (k / 2000);
  const file = `models/bench_standard_${k}.nam`;
  writeFileSync(path.join(catalogDir, file), JSON.stringify({ ...standardNam, weights }));
  standardTone.models.push({ ...standardModel, id: 9000 + k, name: `${standardModel.name} #${k + 1}`, file });
  modelIds.push(String(9000 + k));
}
writeFileSync(path.join(catalogDir, "catalog.json"), JSON.stringify(catalogJson));

const database = await createDb({ pgliteDataDir: path.join(work, "pglite") });
await migrateToLatest(database.db);
const db = database.db;
const storage = createLocalStorage(path.join(work, "storage"));
const standIn = await createTone3000StandIn({ port: 0, rateLimitPerMinute: 100_000, catalogDir });
const login = await loginToStandIn(standIn);
const tokens = createTone3000TokenStore({
  db,
  cipher: createTokenCipher(generateTokenCipherKey()),
  refresh: (rt) => login.oauth.refreshAccessToken(rt),
});
const user = await upsertUserByTone3000Id(db, { tone3000Id: "bench", username: "bench", avatarUrl: null });
await tokens.save(user.id, login.tokens);

// A 30 s DI: the 10 s reference take, repeated.
const di = loopedReferenceTake(SECONDS);
async function addFile(kind: "di" | "ir", name: string, bytes: Uint8Array) {
  const stored = await putBytes(storage, bytes);
  const row = await db
    .insertInto("files")
    .values({
      ownerId: user.id,
      kind,
      name,
      mime: "audio/wav",
      sizeBytes: stored.size,
      sha256: stored.sha256,
      storageKey: stored.key,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
const diFileId = await addFile("di", "bench-di.wav", encodeWav(di, 48_000, "pcm24"));
const irFileId = await addFile(
  "ir",
  "4x12 closed.wav",
  readFileSync(path.join(catalog, "irs/synthetic_4x12_closed.wav")),
);

const chains = [
  { irFileId, effects: [] as string[], highpass: true },
  { irFileId, effects: ["eq:highshelf_presence", "reverb:room"], highpass: true },
  { irFileId: null, effects: ["eq:lowpass_12k"], highpass: true },
  { irFileId, effects: ["delay:slapback", "gain:-3"], highpass: false },
  { irFileId, effects: ["reverb:hall"], highpass: true },
];
const shootout = await db
  .insertInto("shootouts")
  .values({
    ownerId: user.id,
    name: "Bench shootout",
    diFileId,
    guitar: "Strat",
    pickup: "bridge",
    outputFormats: ["wav", "flac", "mp4"],
  })
  .returningAll()
  .executeTakeFirstOrThrow();
const tones = await db
  .insertInto("toneSelections")
  .values(
    Array.from({ length: TONES }, (_, i) => ({
      shootoutId: shootout.id,
      position: i,
      tone3000ToneId: String(standardTone.id),
      tone3000ModelId: SAME_MODEL ? "1001" : modelIds[i]!,
      displayName: `Microtubes standard #${i + 1}`,
      modelSize: "standard",
      architecture: "WaveNet",
      ...chains[i % chains.length]!,
    })),
  )
  .returningAll()
  .execute();
const job: JobRow = await db
  .insertInto("jobs")
  .values({ shootoutId: shootout.id, ownerId: user.id, status: "running" })
  .returningAll()
  .executeTakeFirstOrThrow();

const pool = createRenderPool(THREADS);
const pipeline = createShootoutPipeline({
  tone3000: createTone3000ClientFactory({ baseUrl: standIn.url, tokens }),
  pool,
});
// Threads start (and compile their modules) before the clock, as in a running worker.
await pool.encode(new Float32Array(48), { flac: true, wav: false });
await Promise.all(
  Array.from({ length: THREADS }, () => pool.encode(new Float32Array(48), { flac: true, wav: false })),
);

// Resident memory, sampled through the render (threads included).
const rssBefore = process.memoryUsage.rss();
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 25);
let lastShown = -10;
const cpuStarted = process.cpuUsage();
const mainCpuStarted = process.threadCpuUsage();
const started = performance.now();
const raw = await pipeline({
  job,
  shootout: { ...shootout, tones },
  signal: new AbortController().signal,
  progress(percent, message) {
    if (percent - lastShown >= 10) {
      lastShown = percent;
      console.log(
        `  ${String(Math.round(percent)).padStart(3)}%  ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${message}`,
      );
    }
  },
  db,
  storage,
  log: pino({ level: "silent" }),
});
const wall = (performance.now() - started) / 1000;
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
const cpuUsed = process.cpuUsage(cpuStarted);
const mainCpuUsed = process.threadCpuUsage(mainCpuStarted);
const result = shootoutResultSchema.parse(raw);
const t = result.timings;

const audioSeconds = TONES * (result.diDurationMs / 1000);
console.log(
  `\nshootout: ${TONES} tones × ${(result.diDurationMs / 1000).toFixed(1)} s DI, standard WaveNet (${SAME_MODEL ? "one model shared by every tone" : "a model per tone"}), outputs WAV + FLAC + MP4`,
);
console.log(
  `machine: ${os.availableParallelism()} cores, ${THREADS} render threads, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(
  `wall: ${wall.toFixed(2)} s  (${(audioSeconds / wall).toFixed(1)}x realtime over ${audioSeconds.toFixed(0)} s of rendered audio; target <= 10 s)`,
);
console.log(
  `cpu: ${((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(2)} s in this process, all threads (ffmpeg's processes not counted), ${((mainCpuUsed.user + mainCpuUsed.system) / 1e6).toFixed(2)} s of it on the main thread`,
);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
console.log(
  `memory: peak RSS during the render ${mb(rssPeak)}, ${mb(rssPeak - rssBefore)} over the idle process (${mb(rssBefore)}: the embedded PGlite, the stand-in, warmed threads)\n`,
);
const stages: [string, number, string][] = [
  ["DI decode/resample/trim", t.di ?? 0, "wall"],
  ["models (download/cache)", t.models ?? 0, "wall"],
  ["IR load", t.irs ?? 0, "wall"],
  ["tones in threads", t.renderWall ?? 0, "wall"],
  ["  NAM render", t.namCpu ?? 0, "cpu, sum of threads"],
  ["  high-pass", t.highpassCpu ?? 0, "cpu"],
  ["  IR convolution", t.irCpu ?? 0, "cpu"],
  ["  effects", t.effectsCpu ?? 0, "cpu"],
  ["  loudness + peak guard", t.loudnessCpu ?? 0, "cpu"],
  ["  metrics", t.metricsCpu ?? 0, "cpu"],
  ["  encode per-tone FLAC+WAV", t.encodeCpu ?? 0, "cpu"],
  ["title cards (during render)", t.titleCards ?? 0, "overlapped"],
  ["join + encode joined + MP4", t.joinAndEncode ?? 0, "wall"],
  ["  MP4 x264+AAC (alongside)", t.videoEncode ?? 0, "overlapped"],
  ["  MP4 after the last tone", t.videoAfterRender ?? 0, "wall"],
  ["store outputs", t.store ?? 0, "wall"],
];
const slowestWall = stages
  .filter((s) => s[2] === "wall" && !s[0].startsWith(" "))
  .sort((a, b) => b[1] - a[1])[0]![0];
for (const [name, seconds, kind] of stages) {
  const bar = "#".repeat(Math.min(60, Math.round((seconds / Math.max(wall, 1e-9)) * 60)));
  console.log(
    `${name.padEnd(28)} ${seconds.toFixed(2).padStart(7)} s  ${kind.padEnd(17)} ${bar}${name === slowestWall ? "  <- slowest" : ""}`,
  );
}
console.log(
  `\noutputs: ${result.joined.length} joined, ${result.segments.reduce((n, s) => n + s.files.length, 0)} per-tone, video ${result.video ? `${(result.video.sizeBytes / 1e6).toFixed(1)} MB` : "none"}`,
);

await pool.close();
await pipeline.close();
await standIn.close();
await database.close();
rmSync(work, { recursive: true, force: true });
