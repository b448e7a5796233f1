import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeWav } from "@shootout/audio";

// Found where packages/audio's tests find the reference data (one place decides where that is).
import { referenceDir } from "../../audio/test/helpers/reference.ts";

/** The NAM reference DI (10 s, 48 kHz mono). */
export const REFERENCE_DI = path.join(referenceDir, "input/di_raid_10s_48k.wav");

/** The reference take, looped to `seconds` at 48 kHz: the benches' DI. */
export function loopedReferenceTake(seconds: number): Float32Array {
  const take = decodeWav(readFileSync(REFERENCE_DI)).channels[0]!;
  const di = new Float32Array(Math.round(seconds * 48_000));
  for (let i = 0; i < di.length; i++) di[i] = take[i % take.length]!;
  return di;
}
