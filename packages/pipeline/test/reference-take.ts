import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeWav } from "@shootout/audio";

/**
 * The NAM reference DI (10 s, 48 kHz mono) from shared/ beside the repository, where CI lays it
 * (and /work/shared beside /work/main here), as packages/audio's tests find it.
 */
export const REFERENCE_DI = path.resolve(
  import.meta.dirname,
  "../../../../shared/nam-reference/input/di_raid_10s_48k.wav",
);

/** The reference take, looped to `seconds` at 48 kHz: the benches' DI. */
export function loopedReferenceTake(seconds: number): Float32Array {
  const take = decodeWav(readFileSync(REFERENCE_DI)).channels[0]!;
  const di = new Float32Array(Math.round(seconds * 48_000));
  for (let i = 0; i < di.length; i++) di[i] = take[i % take.length]!;
  return di;
}
