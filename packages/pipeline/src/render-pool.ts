import os from "node:os";
import { Worker } from "node:worker_threads";
import type {
  EncodedAudio,
  EncodeRequest,
  NamPartResult,
  ThreadReply,
  ThreadTask,
  ToneThreadResult,
} from "./thread-protocol.ts";
import type { AmpModel, ToneChainSpec } from "./tone-chain.ts";

/** A task failed inside a thread; `code` is the AudioError code when it was one. */
export class RenderThreadError extends Error {
  readonly code: string | null;
  constructor(name: string, message: string, code: string | null) {
    super(message);
    this.name = `RenderThreadError(${name})`;
    this.code = code;
  }
}

export interface RenderPool {
  /** Threads in the pool. */
  readonly size: number;
  /**
   * A tone's whole chain. With `amp` (its NAM output, rendered in parts by `renderNamPart`) the
   * thread starts after NAM and the task goes ahead of queued ones, so finished tones flow on.
   */
  renderTone(
    di: Float32Array,
    spec: ToneChainSpec,
    encode: EncodeRequest,
    options?: {
      onProgress?: (fraction: number) => void;
      signal?: AbortSignal;
      amp?: NamPartResult | null;
    },
  ): Promise<ToneThreadResult>;
  /** NAM over `input`, the first `leadIn` output samples dropped (see tone-chain's renderNamPart). */
  renderNamPart(
    amp: AmpModel,
    input: Float32Array,
    leadIn: number,
    options?: { onProgress?: (fraction: number) => void; signal?: AbortSignal },
  ): Promise<NamPartResult>;
  encode(
    samples: Float32Array,
    encode: EncodeRequest,
    options?: { signal?: AbortSignal },
  ): Promise<EncodedAudio>;
  /** Terminates every thread; pending tasks reject. */
  close(): Promise<void>;
}

interface Pending {
  readonly task: ThreadTask;
  readonly transfer: ArrayBuffer[];
  readonly onProgress: ((fraction: number) => void) | undefined;
  readonly signal: AbortSignal | undefined;
  resolve(value: ToneThreadResult | EncodedAudio | NamPartResult): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

const THREAD_ENTRY = new URL("./render-thread.ts", import.meta.url);

/**
 * A small pool of worker threads, one task per thread at a time, each thread running a whole
 * tone's chain. Sized to the machine's cores by default. Buffers move by transfer. A task whose
 * signal aborts terminates its thread at once (the NAM render stops mid-chunk) and a fresh thread
 * takes its slot. Idle threads do not keep the process alive.
 */
export function createRenderPool(size = Math.max(1, os.availableParallelism())): RenderPool {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  const abortHandlers = new WeakMap<Pending, () => void>();

  function spawn(): Slot {
    const worker = new Worker(THREAD_ENTRY);
    const slot: Slot = { worker, busy: null };
    worker.unref();
    worker.on("message", (reply: ThreadReply) => onReply(slot, reply));
    worker.on("error", (error) => fail(slot, error));
    worker.on("exit", (code) => {
      if (slot.busy) fail(slot, new Error(`render thread exited (code ${code})`));
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      pump();
    });
    slots.push(slot);
    return slot;
  }

  function finish(slot: Slot): Pending | null {
    const pending = slot.busy;
    slot.busy = null;
    const onAbort = pending ? abortHandlers.get(pending) : undefined;
    if (pending && onAbort) pending.signal?.removeEventListener("abort", onAbort);
    slot.worker.unref();
    queueMicrotask(pump);
    return pending;
  }

  function fail(slot: Slot, error: unknown): void {
    finish(slot)?.reject(error);
  }

  function onReply(slot: Slot, reply: ThreadReply): void {
    const pending = slot.busy;
    if (!pending || pending.task.id !== reply.id) return;
    switch (reply.type) {
      case "progress":
        pending.onProgress?.(reply.fraction);
        return;
      case "tone-done":
      case "encode-done":
      case "nam-done":
        finish(slot)?.resolve(reply.result);
        return;
      case "error":
        fail(slot, new RenderThreadError(reply.name, reply.message, reply.code));
        return;
    }
  }

  function pump(): void {
    if (closed) return;
    while (queue.length > 0) {
      let slot = slots.find((s) => !s.busy);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) return;
      const pending = queue.shift()!;
      if (pending.signal?.aborted) {
        pending.reject(pending.signal.reason);
        continue;
      }
      slot.busy = pending;
      slot.worker.ref();
      const target = slot;
      const onAbort = () => {
        if (target.busy !== pending) return;
        target.busy = null;
        // Out of the pool at once, so no new task lands on a thread that is being terminated.
        const i = slots.indexOf(target);
        if (i >= 0) slots.splice(i, 1);
        pending.reject(pending.signal?.reason);
        // Stops the render mid-chunk; the exit handler frees the slot and a new thread replaces it.
        void target.worker.terminate();
      };
      abortHandlers.set(pending, onAbort);
      pending.signal?.addEventListener("abort", onAbort, { once: true });
      slot.worker.postMessage(pending.task, pending.transfer);
    }
  }

  function submit<T extends ToneThreadResult | EncodedAudio | NamPartResult>(
    task: ThreadTask,
    transfer: ArrayBuffer[],
    onProgress: ((fraction: number) => void) | undefined,
    signal: AbortSignal | undefined,
    first = false,
  ): Promise<T> {
    if (closed) return Promise.reject(new Error("render pool is closed"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        task,
        transfer,
        onProgress,
        signal,
        resolve: resolve as (value: ToneThreadResult | EncodedAudio | NamPartResult) => void,
        reject,
      };
      if (first) queue.unshift(pending);
      else queue.push(pending);
      pump();
    });
  }

  return {
    size,
    renderTone(di, spec, encode, options = {}) {
      const given = options.amp ?? null;
      const whole = (a: Float32Array) =>
        a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
      const amp = given ? { samples: whole(given.samples), seconds: given.seconds } : null;
      // The DI is shared by every tone: each task gets its own copy to transfer (none when the
      // NAM output comes along instead; that one is the caller's to give away).
      const copy = amp ? new Float32Array(0) : di.slice();
      const ir = spec.ir ? spec.ir.slice() : null;
      const task: ThreadTask = { type: "tone", id: nextId++, di: copy, spec: { ...spec, ir }, encode, amp };
      const transfer = [
        copy.buffer,
        ...(ir ? [ir.buffer] : []),
        ...(amp ? [amp.samples.buffer as ArrayBuffer] : []),
      ];
      return submit<ToneThreadResult>(task, transfer, options.onProgress, options.signal, amp !== null);
    },
    renderNamPart(amp, input, leadIn, options = {}) {
      const copy = input.slice();
      const task: ThreadTask = { type: "nam", id: nextId++, amp, input: copy, leadIn };
      return submit<NamPartResult>(task, [copy.buffer], options.onProgress, options.signal);
    },
    encode(samples, encode, options = {}) {
      const copy = samples.slice();
      const task: ThreadTask = { type: "encode", id: nextId++, samples: copy, encode };
      return submit<EncodedAudio>(task, [copy.buffer], undefined, options.signal);
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error("render pool closed"));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
