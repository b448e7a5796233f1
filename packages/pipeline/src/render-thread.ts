/**
 * Entry of a render worker thread: runs one task at a time (a tone's whole chain, its metrics and
 * its files; or an encode), posting progress per NAM chunk. Cancellation is the pool's job: it
 * terminates the thread, which stops the render mid-chunk.
 */
import { parentPort } from "node:worker_threads";
import { isAudioError, measure } from "@shootout/audio";
import { encodeAudio } from "./encode-audio.ts";
import type { ThreadReply, ThreadTask } from "./thread-protocol.ts";
import { CHAIN_SAMPLE_RATE, renderNamPart, renderToneChain, threadCpuSeconds } from "./tone-chain.ts";

const port = parentPort;
if (!port) throw new Error("render-thread.ts runs as a worker thread only");

function post(reply: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}

function buffersOf(...arrays: (Uint8Array | Float32Array | null)[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    // Only whole, unshared buffers move; a view into a pooled buffer is copied instead.
    if (!a || !(a.buffer instanceof ArrayBuffer) || out.includes(a.buffer)) continue;
    if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.push(a.buffer);
  }
  return out;
}

async function run(task: ThreadTask): Promise<void> {
  if (task.type === "nam") {
    let lastSent = -1;
    const result = await renderNamPart(task.amp, task.input, task.leadIn, (fraction) => {
      if (fraction - lastSent >= 0.02 || fraction === 1) {
        lastSent = fraction;
        post({ type: "progress", id: task.id, fraction });
      }
    });
    post({ type: "nam-done", id: task.id, result }, buffersOf(result.samples));
    return;
  }
  if (task.type === "encode") {
    const files = await encodeAudio(task.samples, task.encode);
    post({ type: "encode-done", id: task.id, result: files }, buffersOf(files.flac, files.wav));
    return;
  }
  let lastSent = -1;
  const chain = await renderToneChain(task.di, task.spec, {
    amp: task.amp,
    onProgress(fraction) {
      // A few dozen messages per tone are plenty for a smooth bar.
      if (fraction - lastSent >= 0.02 || fraction === 1) {
        lastSent = fraction;
        post({ type: "progress", id: task.id, fraction });
      }
    },
  });
  const t = threadCpuSeconds();
  const metrics = measure(chain.samples, CHAIN_SAMPLE_RATE);
  const metricsSeconds = threadCpuSeconds() - t;
  const files = await encodeAudio(chain.samples, task.encode);
  post(
    {
      type: "tone-done",
      id: task.id,
      result: {
        samples: chain.samples,
        stats: chain.stats,
        metrics,
        times: { ...chain.times, metrics: metricsSeconds, encode: files.seconds },
        files,
      },
    },
    buffersOf(chain.samples, files.flac, files.wav),
  );
}

port.on("message", (task: ThreadTask) => {
  run(task).catch((error: unknown) => {
    post({
      type: "error",
      id: task.id,
      name: error instanceof Error ? error.name : "Error",
      message: error instanceof Error ? error.message : String(error),
      code: isAudioError(error) ? error.code : null,
    });
  });
});
