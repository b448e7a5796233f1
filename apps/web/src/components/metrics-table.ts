import type { ToneSelection } from "../lib/api-types.ts";
import { h } from "../lib/dom.ts";
import { formatNumber, formatPercent } from "../lib/format.ts";

type Metrics = NonNullable<ToneSelection["metrics"]>;

// The metrics object is open-ended (the worker may add measurements): read numbers defensively.
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

const COLUMNS: readonly { label: string; cell: (m: Metrics) => string }[] = [
  { label: "Loudness (LUFS)", cell: (m) => formatNumber(num(m.integratedLufs), 1) },
  { label: "RMS", cell: (m) => formatNumber(num(m.rms), 3) },
  { label: "Peak", cell: (m) => formatNumber(num(m.peak), 3) },
  { label: "Crest factor", cell: (m) => formatNumber(num(m.crestFactor), 2) },
  { label: "Spectral centroid (Hz)", cell: (m) => formatNumber(num(m.spectralCentroid), 0) },
  { label: "Bass", cell: (m) => formatPercent(num(m.bassRatio)) },
  { label: "Mid", cell: (m) => formatPercent(num(m.midRatio)) },
  { label: "Treble", cell: (m) => formatPercent(num(m.trebleRatio)) },
];

/** Per-tone measurements side by side; null when no tone has any yet (or they are still blind). */
export function metricsTable(tones: readonly ToneSelection[]): HTMLElement | null {
  const measured = tones.filter((t): t is ToneSelection & { metrics: Metrics } => t.metrics !== null);
  if (measured.length === 0) return null;
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
      measured.map((tone) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, tone.displayName),
          COLUMNS.map((c) => h("td", null, c.cell(tone.metrics))),
        ),
      ),
    ),
  );
}
