import { h } from "../lib/dom.ts";
import { formatSeconds } from "../lib/format.ts";
import type { ResultFile, ResultSegment } from "../lib/shootout-result.ts";

/**
 * The joined file in one audio element, with a button per segment that plays just that tone
 * (seek to its start, pause at its end). The API serves byte ranges, so seeking is cheap.
 */
export function segmentPlayer(
  file: ResultFile,
  segments: readonly ResultSegment[],
  names: readonly string[],
): HTMLElement {
  const audio = h("audio", {
    controls: true,
    preload: "metadata",
    src: `/files/${file.fileId}`,
    "aria-label": `Joined audio (${file.name})`,
    "data-testid": "joined-audio",
  });
  let stopAt: number | null = null;
  const rows: HTMLElement[] = [];

  audio.addEventListener("timeupdate", () => {
    if (stopAt !== null && audio.currentTime >= stopAt) {
      audio.pause();
      stopAt = null;
    }
    const ms = audio.currentTime * 1000;
    for (const [i, row] of rows.entries()) {
      const s = segments[i]!;
      if (ms >= s.startMs && ms < s.endMs) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
  });

  const list = h(
    "ol",
    { class: "segments" },
    segments.map((segment, i) => {
      const name = names[i] ?? segment.label;
      const row = h(
        "li",
        { "data-testid": "segment" },
        h(
          "button",
          {
            type: "button",
            class: "small",
            "aria-label": `Play ${name}`,
            onclick: () => {
              audio.currentTime = segment.startMs / 1000;
              stopAt = segment.endMs / 1000;
              void audio.play();
            },
          },
          "▶",
        ),
        h("span", { class: "segment-name" }, name),
        h("span", { class: "meta" }, `${formatSeconds(segment.startMs)} – ${formatSeconds(segment.endMs)}`),
      );
      rows.push(row);
      return row;
    }),
  );
  return h("div", { class: "segment-player" }, audio, list);
}
