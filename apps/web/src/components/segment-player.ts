import type { FileInfo, ToneSelection } from "../lib/api-types.ts";
import { h } from "../lib/dom.ts";
import { formatSeconds } from "../lib/format.ts";

/**
 * The joined file in one audio element, with a button per tone that plays just its segment
 * (seek to its start, pause at its end). Ranges make the seek cheap: the API serves byte ranges.
 */
export function segmentPlayer(file: FileInfo, tones: readonly ToneSelection[]): HTMLElement {
  const audio = h("audio", {
    controls: true,
    preload: "metadata",
    src: `/files/${file.id}`,
    "data-testid": "joined-audio",
  });
  audio.setAttribute("aria-label", `Joined audio (${file.name})`);
  let stopAt: number | null = null;
  const rows = new Map<string, HTMLElement>();

  const mark = (toneId: string | null) => {
    for (const [id, row] of rows) {
      if (id === toneId) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
  };

  audio.addEventListener("timeupdate", () => {
    if (stopAt !== null && audio.currentTime >= stopAt) {
      audio.pause();
      stopAt = null;
    }
    const ms = audio.currentTime * 1000;
    const playing = tones.find(
      (t) => t.startMs !== null && t.endMs !== null && ms >= t.startMs && ms < t.endMs,
    );
    mark(playing?.id ?? null);
  });

  const segments = tones.filter((t) => t.startMs !== null && t.endMs !== null);
  const list = h(
    "ol",
    { class: "segments" },
    segments.map((tone) => {
      const start = tone.startMs ?? 0;
      const end = tone.endMs ?? 0;
      const row = h(
        "li",
        { "data-testid": "segment" },
        h(
          "button",
          {
            type: "button",
            class: "small",
            "aria-label": `Play ${tone.displayName}`,
            onclick: () => {
              audio.currentTime = start / 1000;
              stopAt = end / 1000;
              void audio.play();
            },
          },
          "▶",
        ),
        h("span", { class: "segment-name" }, tone.displayName),
        h("span", { class: "meta" }, `${formatSeconds(start)} – ${formatSeconds(end)}`),
      );
      rows.set(tone.id, row);
      return row;
    }),
  );
  return h("div", { class: "segment-player" }, audio, segments.length > 0 ? list : null);
}
