import { h } from "../lib/dom.ts";
import { formatNumber, formatPercent } from "../lib/format.ts";
import type { ResultMetrics } from "../lib/shootout-result.ts";

const COLUMNS: readonly { label: string; cell: (m: ResultMetrics) => string }[] = [
  { label: "Loudness (LUFS)", cell: (m) => formatNumber(m.integratedLufs, 1) },
  { label: "RMS (dBFS)", cell: (m) => formatNumber(m.rms, 1) },
  { label: "Peak (dBFS)", cell: (m) => formatNumber(m.peak, 1) },
  { label: "True peak (dBTP)", cell: (m) => formatNumber(m.truePeak, 1) },
  { label: "Crest (dB)", cell: (m) => formatNumber(m.crestFactor, 1) },
  { label: "Centroid (Hz)", cell: (m) => formatNumber(m.spectralCentroid, 0) },
  { label: "Bass", cell: (m) => formatPercent(m.bassRatio) },
  { label: "Mid", cell: (m) => formatPercent(m.midRatio) },
  { label: "Treble", cell: (m) => formatPercent(m.trebleRatio) },
];

/** Per-tone measurements side by side, one row per segment in play order. */
export function metricsTable(rows: readonly { name: string; metrics: ResultMetrics }[]): HTMLElement {
  return h(
    "table",
    { class: "metrics", "data-testid": "metrics" },
    h("caption", null, "Measurements per tone"),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, "Tone"),
        COLUMNS.map((c) => h("th", { scope: "col" }, c.label)),
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((row) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, row.name),
          COLUMNS.map((c) => h("td", null, c.cell(row.metrics))),
        ),
      ),
    ),
  );
}
