import type { ToneSelection } from "./api-types.ts";
import type { ResultSegment } from "./shootout-result.ts";

/**
 * What to call each segment: the tone's name when the result names it; in a blind shootout its
 * label ("Tone A"), plus the tone's name once revealed (revealed tones carry their start time).
 */
export function segmentNames(segments: readonly ResultSegment[], tones: readonly ToneSelection[]): string[] {
  return segments.map((segment) => {
    const byId = segment.toneSelectionId ? tones.find((t) => t.id === segment.toneSelectionId) : undefined;
    if (byId) return byId.displayName;
    const revealed = tones.find((t) => t.startMs === segment.startMs && t.endMs === segment.endMs);
    return revealed ? `${segment.label}: ${revealed.displayName}` : segment.label;
  });
}
