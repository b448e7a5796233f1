import type { ShootoutOutput } from "@shootout/router";
import { formatNumber } from "../output/format.ts";
import { formatTable } from "../output/table.ts";

const ms = (v: number | null) => (v === null ? "–" : `${(v / 1000).toFixed(2)}s`);
const pct = (v: number | null | undefined) => formatNumber(typeof v === "number" ? v * 100 : null, 0, "%");

/** The per-tone measurements as a table, or a sentence saying there are none (yet). */
export function formatMetricsSummary(shootout: ShootoutOutput): string {
  if (!shootout.tones.some((t) => t.metrics)) {
    return shootout.blind && !shootout.revealedAt
      ? "metrics: hidden until the blind shootout is revealed"
      : "metrics: none (the render produced no measurements)";
  }
  const rows = shootout.tones.map((tone) => [
    String(tone.position + 1),
    tone.displayName,
    tone.startMs === null ? "–" : `${ms(tone.startMs)}–${ms(tone.endMs)}`,
    formatNumber(tone.metrics?.integratedLufs, 1),
    formatNumber(tone.metrics?.peak, 3),
    formatNumber(tone.metrics?.rms, 3),
    formatNumber(tone.metrics?.crestFactor, 1),
    formatNumber(tone.metrics?.spectralCentroid, 0, " Hz"),
    `${pct(tone.metrics?.bassRatio)}/${pct(tone.metrics?.midRatio)}/${pct(tone.metrics?.trebleRatio)}`,
  ]);
  return formatTable(
    ["#", "TONE", "SEGMENT", "LUFS", "PEAK", "RMS", "CREST", "CENTROID", "BASS/MID/TREBLE"],
    rows,
  );
}
