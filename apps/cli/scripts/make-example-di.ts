/**
 * Writes examples/di.wav: the first seconds of a DI recording as 16-bit 48 kHz mono WAV, small
 * enough to commit. Default source: the NAM reference DI beside the repository (../shared).
 *   node apps/cli/scripts/make-example-di.ts [source.wav] [seconds]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeWav, encodeWav, mixToMono } from "@shootout/audio";

const here = path.dirname(fileURLToPath(import.meta.url));
const source =
  process.argv[2] ?? path.resolve(here, "../../../../shared/nam-reference/input/di_raid_10s_48k.wav");
const seconds = Number(process.argv[3] ?? "3");
const target = path.resolve(here, "../examples/di.wav");

const decoded = decodeWav(new Uint8Array(readFileSync(source)));
const mono = mixToMono(decoded.channels);
const clip = mono.subarray(0, Math.round(seconds * decoded.sampleRate));
writeFileSync(target, encodeWav(clip, decoded.sampleRate, "pcm16"));
process.stdout.write(`${target}: ${clip.length} samples at ${decoded.sampleRate} Hz\n`);
