import type { AudioMetrics } from "@shootout/audio";
import type { AmpModel, ChainStats, StageTimes, ToneChainSpec } from "./tone-chain.ts";

/** Which files a thread encodes from what it rendered (encoding is CPU work too). */
export interface EncodeRequest {
  readonly flac: boolean;
  readonly wav: boolean;
}

/** Main thread → render thread. Float32Array buffers are transferred, not copied. */
export type ThreadTask =
  | {
      readonly type: "tone";
      readonly id: number;
      readonly di: Float32Array;
      readonly spec: ToneChainSpec;
      readonly encode: EncodeRequest;
      /** The NAM output, when its parts were rendered apart (then `di` is unused). */
      readonly amp: NamPartResult | null;
    }
  | {
      readonly type: "encode";
      readonly id: number;
      readonly samples: Float32Array;
      readonly encode: EncodeRequest;
    }
  | {
      /** A stretch of one tone's NAM render: the first `leadIn` output samples are dropped. */
      readonly type: "nam";
      readonly id: number;
      readonly amp: AmpModel;
      readonly input: Float32Array;
      readonly leadIn: number;
    };

export interface NamPartResult {
  samples: Float32Array;
  /** CPU seconds of the render. */
  seconds: number;
}

export interface EncodedAudio {
  flac: Uint8Array | null;
  wav: Uint8Array | null;
  /** CPU seconds spent encoding (this thread's). */
  seconds: number;
}

export interface ToneThreadResult {
  samples: Float32Array;
  stats: ChainStats;
  metrics: AudioMetrics;
  times: StageTimes & { metrics: number; encode: number };
  files: EncodedAudio;
}

/** Render thread → main thread. */
export type ThreadReply =
  | { readonly type: "progress"; readonly id: number; readonly fraction: number }
  | { readonly type: "tone-done"; readonly id: number; readonly result: ToneThreadResult }
  | { readonly type: "encode-done"; readonly id: number; readonly result: EncodedAudio }
  | { readonly type: "nam-done"; readonly id: number; readonly result: NamPartResult }
  | {
      readonly type: "error";
      readonly id: number;
      readonly name: string;
      readonly message: string;
      readonly code: string | null;
    };
