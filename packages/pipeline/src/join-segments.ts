/**
 * Segments are joined with a gap of digital silence, no crossfade: every tone keeps its own
 * 5 ms edge fades, so a segment in the joined file is sample for sample the tone rendered alone,
 * and the silence tells listeners where one tone ends.
 */
export const SEGMENT_GAP_MS = 750;

export interface JoinedAudio {
  samples: Float32Array;
  /** Per input segment, in order: its first sample and one past its last. */
  spans: { start: number; end: number }[];
}

/** The gap between segments in samples. */
export const segmentGapSamples = (sampleRate: number, gapMs = SEGMENT_GAP_MS) =>
  Math.round((gapMs / 1000) * sampleRate);

export function joinSegments(
  segments: readonly Float32Array[],
  sampleRate: number,
  gapMs = SEGMENT_GAP_MS,
): JoinedAudio {
  const gap = segmentGapSamples(sampleRate, gapMs);
  const total = segments.reduce((n, s) => n + s.length, 0) + gap * Math.max(0, segments.length - 1);
  const samples = new Float32Array(total);
  const spans: JoinedAudio["spans"] = [];
  let at = 0;
  for (const [i, segment] of segments.entries()) {
    if (i > 0) at += gap;
    samples.set(segment, at);
    spans.push({ start: at, end: at + segment.length });
    at += segment.length;
  }
  return { samples, spans };
}

/** Sample index → whole milliseconds (floor for starts, ceil for ends, so the span is covered). */
export const startMsOf = (sample: number, sampleRate: number) => Math.floor((sample * 1000) / sampleRate);
export const endMsOf = (sample: number, sampleRate: number) => Math.ceil((sample * 1000) / sampleRate);
