import { describe, expect, it } from "vitest";
import {
  appendEntry,
  EMPTY_LOG,
  latestEntry,
  type ProgressEntry,
  parseLog,
} from "../src/lib/progress-log.ts";

const entry = (seq: number, progress = seq * 10): ProgressEntry => ({
  seq,
  status: "running",
  progress,
  message: `step ${seq}`,
  at: new Date(2026, 0, 1, 0, 0, seq).toISOString(),
});

describe("a job's progress log", () => {
  it("keeps each seq once, in order, whatever order or how often events arrive", () => {
    let log = EMPTY_LOG;
    for (const seq of [1, 2, 2, 4, 3, 1, 4]) log = appendEntry(log, entry(seq));
    expect(log.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(log.lastSeq).toBe(4);
    expect(latestEntry(log)?.progress).toBe(40);
  });

  it("returns the same log for a replayed event (the page then redraws nothing)", () => {
    const log = appendEntry(appendEntry(EMPTY_LOG, entry(1)), entry(2));
    expect(appendEntry(log, entry(2))).toBe(log);
  });

  it("survives a round trip through storage and reads damage as empty", () => {
    const log = [entry(3), entry(1), entry(2)].reduce(appendEntry, EMPTY_LOG);
    expect(parseLog(JSON.stringify(log))).toEqual(log);
    expect(parseLog(null)).toEqual(EMPTY_LOG);
    expect(parseLog("{not json")).toEqual(EMPTY_LOG);
    expect(parseLog(JSON.stringify({ entries: [{ seq: "1" }] }))).toEqual(EMPTY_LOG);
    expect(parseLog(JSON.stringify({ entries: [{ ...entry(1), status: "exploded" }] }))).toEqual(EMPTY_LOG);
  });
});
