import type { DB, JsonValue } from "@shootout/db";
import { type PipelineInput, RenderError, type RenderPipeline } from "@shootout/jobs";
import { architectureLabel } from "@shootout/router";
import type { Tone3000Client } from "@shootout/tone3000";
import type { Kysely } from "kysely";
import { planAmpRenders } from "./amp-renders.ts";
import { ampSizeName } from "./amp-size-name.ts";
import { tagFlac, tagWav } from "./audio-tags.ts";
import { type BlindKey, blindLabel, shuffledOrder } from "./blind-order.ts";
import { endMsOf, joinSegments, SEGMENT_GAP_MS, segmentGapSamples, startMsOf } from "./join-segments.ts";
import { loadDi } from "./load-di.ts";
import { loadIr, loadTone3000Ir, type PreparedIr } from "./load-ir.ts";
import { type CachedModel, fetchModel, splitReceptiveField } from "./model-cache.ts";
import { modelDownloadError } from "./model-errors.ts";
import { createRenderPool, type RenderPool, RenderThreadError } from "./render-pool.ts";
import {
  drawTitleCards,
  encodeShootoutVideo,
  startShootoutVideo,
  type TitleCards,
  type VideoEncode,
} from "./render-video.ts";
import {
  type OutputFile,
  type ShootoutResult,
  shootoutResultSchema,
  type ToneMetrics,
} from "./result-schema.ts";
import { ffmpegWorks } from "./run-ffmpeg.ts";
import { safeFileName } from "./safe-file-name.ts";
import type { ToneThreadResult } from "./thread-protocol.ts";
import { titleCard } from "./title-card.ts";
import { CHAIN_SAMPLE_RATE, NAM_SHARE } from "./tone-chain.ts";
import { cardCredit, creditedSources, creditsText, toneTags } from "./tone-credits.ts";
import { toToneMetrics } from "./tone-metrics.ts";
import { type PendingOutput, writeOutputs } from "./write-outputs.ts";

/** A Tone 3000 API client acting for a user (the router's Tone3000ClientFactory fits). */
export type Tone3000ClientsFor = (userId: string, db: Kysely<DB>) => Tone3000Client | Promise<Tone3000Client>;

export interface ShootoutPipelineOptions {
  /** Tone 3000 clients per user: models are downloaded with the shootout owner's tokens. */
  tone3000: Tone3000ClientsFor;
  /** ffmpeg for the MP4 (default: FFMPEG_PATH, else `ffmpeg` from PATH). */
  ffmpegPath?: string;
  /** Render threads (default: one per core). Ignored when `pool` is given. */
  threads?: number;
  /** A pool to share (the bench and tests pass one); otherwise the pipeline makes its own. */
  pool?: RenderPool;
  /** Longest DI in seconds, once trimmed (MAX_DI_SECONDS; default 120). */
  maxDiSeconds?: number;
  /** Fonts for the title cards (default DejaVu Sans from fonts-dejavu-core). */
  fontFile?: string;
  boldFontFile?: string;
}

export interface ShootoutPipeline extends RenderPipeline {
  /** Stops the render threads (a worker calls it when it stops). */
  close(): Promise<void>;
}

// Progress budget: preparing inputs, rendering tones (the bulk), then joining/encoding/storing.
const P_INPUTS = 10;
const P_RENDER_END = 85;
const P_STORE = 97;

/**
 * The shootout render: DI → for every tone (in parallel threads) high-pass → NAM → IR →
 * effects → loudness match → metrics → per-tone files; then the joined file (segments with a
 * 750 ms silent gap), the MP4 with a title card per segment when asked, and the rows that record
 * it all. Blind shootouts play in a shuffled order whose key only shootouts.blind_key holds.
 */
export function createShootoutPipeline(options: ShootoutPipelineOptions): ShootoutPipeline {
  const ffmpegPath = options.ffmpegPath ?? (process.env.FFMPEG_PATH || "ffmpeg");
  let ownPool: RenderPool | null = null;
  const pool = () => {
    if (options.pool) return options.pool;
    ownPool ??= createRenderPool(options.threads);
    return ownPool;
  };

  const pipeline = async (input: PipelineInput): Promise<JsonValue> => {
    const { shootout, signal, db, storage, log, job } = input;
    const timings: Record<string, number> = {};
    const wall = (key: string, since: number) => {
      timings[key] = (timings[key] ?? 0) + (performance.now() - since) / 1000;
    };
    const report = (percent: number, message: string) => input.progress(Math.min(100, percent), message);
    const tones = shootout.tones;
    const n = tones.length;
    if (n === 0) throw new RenderError("This shootout has no tones to render.");
    const formats = new Set(shootout.outputFormats);
    const wantVideo = formats.has("mp4");
    const wantWav = formats.has("wav");
    const started = performance.now();

    if (wantVideo && !(await ffmpegWorks(ffmpegPath))) {
      throw new RenderError("The MP4 output needs ffmpeg, which is not installed where this job ran.");
    }

    // 1. The DI.
    report(1, "Preparing the DI");
    let t = performance.now();
    const di = await loadDi(db, storage, shootout.diFileId, options.maxDiSeconds);
    wall("di", t);
    const notes = [...di.notes];
    signal.throwIfAborted();

    // 2. Models (cached for everybody by model id and content hash) and IRs (the owner's uploads).
    t = performance.now();
    let client: Promise<Tone3000Client> | null = null;
    const clientFor = () => {
      client ??= Promise.resolve(options.tone3000(shootout.ownerId, db));
      return client;
    };
    const models: (CachedModel | null)[] = [];
    for (const [i, tone] of tones.entries()) {
      if (tone.tone3000ModelId === null) {
        models.push(null);
        continue;
      }
      report(2 + (6 * i) / n, `Fetching the model of tone ${i + 1}/${n} '${tone.displayName}'`);
      try {
        models.push(await fetchModel(db, storage, clientFor, tone.tone3000ModelId, signal));
      } catch (error) {
        signal.throwIfAborted();
        throw modelDownloadError(i, tone.displayName, error);
      }
    }
    wall("models", t);
    // What each tone's amp is, named for listeners: "A2, standard, smallest (WaveNet 3 ch)".
    const ampNames = tones.map((tone, i) => {
      const model = models[i];
      if (!model) return null;
      return [
        architectureLabel(tone.architecture) ?? model.architecture,
        tone.modelSize,
        ampSizeName(model.model, tone.ampSlim),
      ]
        .filter(Boolean)
        .join(", ");
    });
    t = performance.now();
    // Cabinets: the owner's uploads and Tone 3000 IRs (cached for everybody like models), each once.
    const irs = new Map<string, PreparedIr>();
    const cabinetKey = (tone: (typeof tones)[number]) =>
      tone.cabTone3000ModelId !== null
        ? `t3k:${tone.cabTone3000ModelId}`
        : tone.irFileId !== null
          ? `upload:${tone.irFileId}`
          : null;
    for (const [i, tone] of tones.entries()) {
      const key = cabinetKey(tone);
      if (key === null || irs.has(key)) continue;
      let ir: PreparedIr;
      if (tone.cabTone3000ModelId !== null) {
        const name = tone.cabName ?? `Tone 3000 IR ${tone.cabTone3000ModelId}`;
        try {
          ir = await loadTone3000Ir(db, storage, clientFor, tone.cabTone3000ModelId, name, signal);
        } catch (error) {
          signal.throwIfAborted();
          if (error instanceof RenderError) throw error;
          throw modelDownloadError(i, tone.displayName, error, "IR");
        }
      } else {
        ir = await loadIr(db, storage, tone.irFileId!);
      }
      notes.push(...ir.notes);
      irs.set(key, ir);
    }
    const cabinetOf = (i: number) => {
      const key = cabinetKey(tones[i]!);
      return key === null ? null : irs.get(key)!;
    };
    wall("irs", t);
    signal.throwIfAborted();
    // Who made what each tone uses, and under which licence (stored when the shootout was saved).
    const sources = tones.map((tone, i) => creditedSources(tone, ampNames[i]!, cabinetOf(i)?.name ?? null));

    // The playing order (shuffled when blind) and the title cards, which need nothing rendered:
    // ffmpeg draws them while the tones render.
    const order = shootout.blind ? shuffledOrder(n) : tones.map((_, i) => i);
    const labels = new Map(order.map((toneIndex, segment) => [toneIndex, blindLabel(segment)]));
    const labelOf = (i: number) => (shootout.blind ? labels.get(i)! : tones[i]!.displayName);
    let cardsDone: Promise<TitleCards> | null = null;
    // The MP4's ffmpeg, once started (it starts during the render): stopped if the job fails.
    let videoRunning: VideoEncode | null = null;
    let videoStopped = false;
    const stopVideo = async () => {
      videoStopped = true;
      const v = videoRunning;
      videoRunning = null;
      await v?.abort();
    };
    if (wantVideo) {
      const cardsStarted = performance.now();
      cardsDone = drawTitleCards({
        ffmpegPath,
        signal,
        fontFile: options.fontFile,
        boldFontFile: options.boldFontFile,
        cards: order.map((toneIndex, segment) => {
          const tone = tones[toneIndex]!;
          return titleCard(
            { name: shootout.name, guitar: shootout.guitar, pickup: shootout.pickup, blind: shootout.blind },
            {
              displayName: tone.displayName,
              ampName: ampNames[toneIndex]!,
              irName: cabinetOf(toneIndex)?.name ?? null,
              credit: cardCredit(sources[toneIndex]!),
              highpass: tone.highpass,
              effects: tone.effects,
            },
            labelOf(toneIndex),
            segment,
            n,
          );
        }),
      });
      cardsDone = cardsDone.then((cards) => {
        wall("titleCards", cardsStarted);
        return cards;
      });
      // Awaited after the render; until then a failure must not count as unhandled.
      cardsDone.catch(() => {});
    }
    try {
      return await renderAndStore(order, labelOf, cardsDone);
    } catch (error) {
      await stopVideo();
      throw error;
    } finally {
      if (cardsDone) await cardsDone.then((c) => c.dispose()).catch(() => {});
    }

    async function renderAndStore(
      order: number[],
      labelOf: (i: number) => string,
      cardsDone: Promise<TitleCards> | null,
    ): Promise<JsonValue> {
      // 3. Render every tone's chain in the thread pool; progress is the sum of per-tone fractions.
      report(P_INPUTS, `Rendering ${n} tones`);
      t = performance.now();
      const fractions = new Array<number>(n).fill(0);
      const targetLufs = shootout.normalizeLoudness ? shootout.targetLufs : null;
      const segmentOf = new Map(order.map((toneIndex, segment) => [toneIndex, segment]));

      // The MP4 starts once the title cards are drawn and takes each segment (plus the gap before
      // it) as soon as it and the ones before it are rendered, so ffmpeg encodes while the last
      // tones render. A card shows from the end of the tone before it (through the gap, so it can
      // be read before its tone starts) to the end of its own tone. Card times assume every tone
      // is as long as the DI (the chain keeps the length); should one not be, the video is made
      // after the join instead.
      const segmentLength = di.samples.length;
      const gap = segmentGapSamples(CHAIN_SAMPLE_RATE);
      const cardSeconds = order.map((_, k) => ((k > 0 ? gap : 0) + segmentLength) / CHAIN_SAMPLE_RATE);
      let videoStarted = 0;
      const videoStart = cardsDone?.then(async (cards) => {
        videoStarted = performance.now();
        const v = await startShootoutVideo({
          ffmpegPath,
          cards: cards.files,
          seconds: cardSeconds,
          sampleRate: CHAIN_SAMPLE_RATE,
          signal,
        });
        if (videoStopped) {
          // The job failed while ffmpeg was starting.
          await v.abort();
          throw new Error("video stopped");
        }
        videoRunning = v;
        return v;
      });
      videoStart?.catch(() => {});
      const renderedSegments = new Array<Float32Array | undefined>(n);
      let nextSegment = 0;
      let streamable = true;
      let feeding: Promise<void> = Promise.resolve();
      const silence = new Float32Array(gap);
      const feedVideo = (toneIndex: number, samples: Float32Array) => {
        if (!videoStart) return;
        if (samples.length !== segmentLength) streamable = false;
        renderedSegments[segmentOf.get(toneIndex)!] = samples;
        feeding = feeding.then(async () => {
          const v = await videoStart;
          while (streamable && nextSegment < n && renderedSegments[nextSegment]) {
            if (nextSegment > 0) v.write(silence);
            v.write(renderedSegments[nextSegment]!);
            nextSegment++;
          }
        });
        feeding.catch(() => {});
      };

      const amps = planAmpRenders({
        pool: pool(),
        di: di.samples,
        tones: tones.map((tone, i) => {
          const model = models[i];
          if (!model) return null;
          return {
            modelSha256: model.sha256,
            amp: { namText: model.text, slim: tone.ampSlim },
            receptiveField: splitReceptiveField(model.model, tone.ampSlim),
            highpass: tone.highpass,
          };
        }),
        signal,
        onHighpassCpu: (seconds) => {
          timings.highpassCpu = (timings.highpassCpu ?? 0) + seconds;
        },
      });
      const renderOne = async (tone: (typeof tones)[number], i: number): Promise<ToneThreadResult> => {
        const progress = (fraction: number) => {
          fractions[i] = fraction;
          const done = fractions.reduce((a, b) => a + b, 0) / n;
          report(
            P_INPUTS + (P_RENDER_END - P_INPUTS) * done,
            `Rendering tone ${i + 1}/${n} '${tone.displayName}' (${Math.round(fraction * 100)}%)`,
          );
        };
        const model = models[i];
        const spec = {
          amp: model ? { namText: model.text, slim: tone.ampSlim } : null,
          highpass: tone.highpass,
          ir: cabinetOf(i)?.samples ?? null,
          effects: tone.effects,
          targetLufs,
        };
        const encode = { flac: true, wav: wantWav };
        const amp = amps.render(i, (f) => progress(NAM_SHARE * f));
        return pool().renderTone(di.samples, spec, encode, {
          signal,
          onProgress: progress,
          amp: amp ? await amp : null,
        });
      };
      const rendered: ToneThreadResult[] = await Promise.all(
        tones.map((tone, i) =>
          renderOne(tone, i)
            .then((result) => {
              feedVideo(i, result.samples);
              return result;
            })
            .catch((error: unknown) => {
              if (signal.aborted) throw signal.reason;
              if (error instanceof RenderThreadError) {
                throw new RenderError(
                  `Tone ${i + 1} '${tone.displayName}': render failed: ${error.message}`,
                  {
                    cause: error,
                  },
                );
              }
              throw error;
            }),
        ),
      );
      wall("renderWall", t);
      for (const r of rendered) {
        for (const [stage, seconds] of Object.entries(r.times)) {
          timings[`${stage}Cpu`] = (timings[`${stage}Cpu`] ?? 0) + seconds;
        }
      }
      signal.throwIfAborted();

      // 4. Join in playing order (shuffled when blind).
      t = performance.now();
      const joined = joinSegments(
        order.map((i) => rendered[i]!.samples),
        CHAIN_SAMPLE_RATE,
      );
      report(P_RENDER_END, wantVideo ? "Encoding the joined file and the video" : "Encoding the joined file");
      // The joined FLAC/WAV (a pool thread) and the MP4 (ffmpeg) are made at the same time.
      const encoding = pool().encode(joined.samples, { flac: true, wav: wantWav }, { signal });
      const video = videoStart
        ? (async () => {
            await feeding;
            const v = await videoStart;
            const tail = performance.now();
            let mp4: Uint8Array;
            if (streamable) {
              videoRunning = null;
              mp4 = await v.finish();
            } else {
              await stopVideo();
              const cards = await cardsDone!;
              mp4 = await encodeShootoutVideo({
                ffmpegPath,
                cards: cards.files,
                seconds: joined.spans.map(
                  (span, k) => (span.end - (joined.spans[k - 1]?.end ?? 0)) / CHAIN_SAMPLE_RATE,
                ),
                audio: joined.samples,
                sampleRate: CHAIN_SAMPLE_RATE,
                signal,
              });
            }
            wall("videoEncode", videoStarted);
            wall("videoAfterRender", tail);
            return mp4;
          })()
        : Promise.resolve(null);
      const [joinedFiles, mp4] = await Promise.all([encoding, video]);
      wall("joinAndEncode", t);

      const base = safeFileName(shootout.name);
      const durationMs = (samples: number) => Math.round((samples * 1000) / CHAIN_SAMPLE_RATE);
      const outputs: PendingOutput[] = [];
      const joinedMs = durationMs(joined.samples.length);
      outputs.push({
        group: "joined",
        name: `${base}.flac`,
        format: "flac",
        bytes: joinedFiles.flac!,
        durationMs: joinedMs,
        channels: 1,
      });
      if (wantWav) {
        outputs.push({
          group: "joined",
          name: `${base}.wav`,
          format: "wav",
          bytes: joinedFiles.wav!,
          durationMs: joinedMs,
          channels: 1,
        });
      }
      for (const [i, r] of rendered.entries()) {
        const stem = safeFileName(
          `${base} - ${shootout.blind ? labelOf(i) : `${i + 1} ${tones[i]!.displayName}`}`,
        );
        const ms = durationMs(r.samples.length);
        // A blind tone's file must not say what it is; a sighted one carries its credits.
        const tags = shootout.blind
          ? { title: `${shootout.name} – ${labelOf(i)}`, software: "shootout" }
          : toneTags(`${shootout.name} – ${tones[i]!.displayName}`, sources[i]!);
        outputs.push({
          group: `tone:${i}`,
          name: `${stem}.flac`,
          format: "flac",
          bytes: tagFlac(r.files.flac!, tags),
          durationMs: ms,
          channels: 1,
        });
        if (wantWav) {
          outputs.push({
            group: `tone:${i}`,
            name: `${stem}.wav`,
            format: "wav",
            bytes: tagWav(r.files.wav!, tags),
            durationMs: ms,
            channels: 1,
          });
        }
      }
      outputs.push({
        group: "credits",
        name: `${base} - credits.txt`,
        format: "txt",
        bytes: new TextEncoder().encode(
          creditsText(
            shootout.name,
            tones.map((tone, i) => ({ label: `${i + 1}. ${tone.displayName}`, sources: sources[i]! })),
            shootout.blind,
          ),
        ),
        durationMs: null,
        channels: null,
      });
      if (mp4) {
        outputs.push({
          group: "video",
          name: `${base}.mp4`,
          format: "mp4",
          bytes: mp4,
          durationMs: joinedMs,
          channels: 2,
        });
      }
      signal.throwIfAborted();

      // 6. Store and record.
      report(P_STORE, "Storing the outputs");
      t = performance.now();
      const metrics: ToneMetrics[] = rendered.map((r) => toToneMetrics(r.metrics, r.stats));
      const spanOf = (i: number) => joined.spans[segmentOf.get(i)!]!;
      const blindKey: BlindKey | null = shootout.blind
        ? order.map((toneIndex, segment) => ({
            label: labelOf(toneIndex),
            toneSelectionId: tones[toneIndex]!.id,
            position: tones[toneIndex]!.position,
            segment,
          }))
        : null;
      const files = await writeOutputs(db, storage, {
        jobId: job.id,
        ownerId: shootout.ownerId,
        shootoutId: shootout.id,
        outputs,
        blindKey,
        tones: tones.map((tone, i) => ({
          toneSelectionId: tone.id,
          startMs: startMsOf(spanOf(i).start, CHAIN_SAMPLE_RATE),
          endMs: endMsOf(spanOf(i).end, CHAIN_SAMPLE_RATE),
          metrics: metrics[i]!,
        })),
      });
      wall("store", t);
      timings.total = (performance.now() - started) / 1000;

      const mediaFiles = (group: string): OutputFile[] =>
        (files.get(group) ?? []).flatMap((f) => (f.format === "txt" ? [] : [{ ...f, format: f.format }]));
      const creditsFile = files.get("credits")?.[0];
      const result: ShootoutResult = {
        version: 1,
        sampleRate: CHAIN_SAMPLE_RATE,
        diDurationMs: durationMs(di.samples.length),
        gapMs: SEGMENT_GAP_MS,
        blind: shootout.blind,
        normalizeLoudness: shootout.normalizeLoudness,
        targetLufs,
        segments: order.map((toneIndex) => ({
          label: labelOf(toneIndex),
          toneSelectionId: shootout.blind ? null : tones[toneIndex]!.id,
          // What the tone is, sizes named; nothing a blind listener could tell the tones apart by.
          amp: shootout.blind ? null : ampNames[toneIndex]!,
          cabinet: shootout.blind ? null : (cabinetOf(toneIndex)?.name ?? null),
          startMs: startMsOf(spanOf(toneIndex).start, CHAIN_SAMPLE_RATE),
          endMs: endMsOf(spanOf(toneIndex).end, CHAIN_SAMPLE_RATE),
          metrics: metrics[toneIndex]!,
          files: mediaFiles(`tone:${toneIndex}`),
        })),
        joined: mediaFiles("joined"),
        video: mediaFiles("video")[0] ?? null,
        credits: creditsFile ? { ...creditsFile, format: "txt" } : null,
        notes,
        timings: Object.fromEntries(
          Object.entries(timings).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
        ),
      };
      log.info({ timings: result.timings, tones: n }, "shootout rendered");
      return shootoutResultSchema.parse(result);
    }
  };

  return Object.assign(pipeline, {
    async close() {
      await ownPool?.close();
      ownPool = null;
    },
  });
}
