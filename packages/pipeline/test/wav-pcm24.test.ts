import { decodeWav, encodeWav } from "@shootout/audio";
import { describe, expect, it } from "vitest";
import { encodeWavPcm24Mono } from "../src/wav-pcm24.ts";

describe("the fast 24-bit mono WAV writer", () => {
  it("writes byte for byte what the audio package's encodeWav writes, clipping included", () => {
    const x = new Float32Array(10_000).map((_, i) => 1.3 * Math.sin(i / 17) * (i % 3 === 0 ? -1 : 1));
    x[5] = 1;
    x[6] = -1;
    x[7] = 0;
    const ours = encodeWavPcm24Mono(x, 48_000);
    expect(Buffer.from(ours).equals(Buffer.from(encodeWav(x, 48_000, "pcm24")))).toBe(true);
    const back = decodeWav(ours);
    expect(back.sampleRate).toBe(48_000);
    expect(back.channels).toHaveLength(1);
    expect(back.channels[0]![1]).toBeCloseTo(x[1]!, 6);
  });
});
