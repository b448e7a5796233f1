import type { Job, Shootout } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { formatBytes } from "../lib/format.ts";
import { listJobFiles } from "../lib/list-job-files.ts";
import { segmentNames } from "../lib/segment-names.ts";
import { parseShootoutResult, type ResultFile, type ShootoutResultView } from "../lib/shootout-result.ts";
import { toneCredit } from "../lib/tone-credit.ts";
import { api } from "../lib/trpc.ts";
import { errorBox } from "./error-box.ts";
import { metricsTable } from "./metrics-table.ts";
import { segmentPlayer } from "./segment-player.ts";

function downloads(files: readonly { id: string; name: string; sizeBytes: number }[]): HTMLElement {
  return h(
    "ul",
    { class: "downloads" },
    files.map((f) =>
      h(
        "li",
        null,
        h("a", { href: `/files/${f.id}`, download: f.name }, f.name),
        h("span", { class: "meta" }, ` ${formatBytes(f.sizeBytes)}`),
      ),
    ),
  );
}

const asDownload = (f: Pick<ResultFile, "fileId" | "name" | "sizeBytes">) => ({
  id: f.fileId,
  name: f.name,
  sizeBytes: f.sizeBytes,
});

/** The joined audio to play: FLAC when there is one (smaller), else the first audio format. */
function playable(result: ShootoutResultView): ResultFile | null {
  const audio = result.joined.filter((f) => f.format !== "mp4");
  return audio.find((f) => f.format === "flac") ?? audio[0] ?? null;
}

function blindNote(shootout: Shootout): HTMLElement | null {
  if (!shootout.blind) return null;
  return h(
    "p",
    { class: "note" },
    shootout.revealedAt
      ? "Revealed: each segment now shows which tone it is."
      : "Blind mode: the tones play in a shuffled order under letters until you reveal them.",
  );
}

function resultParts(result: ShootoutResultView, shootout: Shootout): HTMLElement[] {
  const names = segmentNames(result.segments, shootout.tones);
  const joined = playable(result);
  const perTone = result.segments.flatMap((segment, i) => {
    const own = segment.files.find((f) => f.format === "flac") ?? segment.files[0];
    return own
      ? [
          h(
            "li",
            null,
            h("span", { class: "segment-name" }, names[i] ?? segment.label),
            segment.amp || segment.cabinet
              ? h(
                  "span",
                  { class: "meta segment-chain" },
                  ` ${segment.amp ? `Amp: ${segment.amp}` : "no amp"} + ${segment.cabinet ? `Cab: ${segment.cabinet}` : "no cab"} `,
                )
              : null,
            (() => {
              const tone = shootout.tones.find((t) => t.id === segment.toneSelectionId);
              const credit = tone ? toneCredit(tone) : null;
              return credit ? h("span", { class: "meta credit" }, ` ${credit} `) : null;
            })(),
            h("audio", {
              controls: true,
              preload: "none",
              src: `/files/${own.fileId}`,
              "aria-label": `${names[i] ?? segment.label} alone`,
            }),
          ),
        ]
      : [];
  });
  const all = [
    ...result.joined,
    ...(result.video ? [result.video] : []),
    ...result.segments.flatMap((s) => s.files),
    ...(result.credits ? [result.credits] : []),
  ];
  return [
    ...(joined ? [h("h3", null, "Joined"), segmentPlayer(joined, result.segments, names)] : []),
    ...(result.video
      ? [
          h("h3", null, "Video"),
          h("video", {
            controls: true,
            preload: "metadata",
            src: `/files/${result.video.fileId}`,
            "aria-label": "Shootout video",
            "data-testid": "video",
          }),
        ]
      : []),
    metricsTable(result.segments.map((s, i) => ({ name: names[i] ?? s.label, metrics: s.metrics }))),
    ...(perTone.length > 0
      ? [h("h3", null, "Each tone alone"), h("ul", { class: "per-tone" }, perTone)]
      : []),
    h("h3", null, "Downloads"),
    downloads(all.map(asDownload)),
    ...(result.notes.length > 0
      ? [
          h(
            "details",
            { class: "notes" },
            h("summary", null, "Render notes"),
            h(
              "ul",
              null,
              result.notes.map((n) => h("li", null, n)),
            ),
          ),
        ]
      : []),
  ];
}

/**
 * A finished render to show: its result (jobs.result, or shootouts.latestResult's for a public
 * shootout), and the job itself when it is the caller's (to list its files should the result not
 * be a pipeline result).
 */
export interface FinishedRender {
  readonly result: Job["result"];
  readonly job: Job | null;
}

/**
 * A finished render's results: the joined file with a player per segment, the video, the metrics
 * table, each tone alone, downloads, and the reveal button of a blind shootout (owner only).
 */
export function results(finished: FinishedRender, initial: Shootout): HTMLElement {
  const element = h(
    "section",
    { class: "results", "data-testid": "results", "aria-label": "Results" },
    h("h2", null, "Results"),
  );
  const { job } = finished;
  const result = parseShootoutResult(finished.result);

  async function render(shootout: Shootout) {
    const problem = h("div");
    const reveal =
      shootout.isOwner && shootout.blind && !shootout.revealedAt && result
        ? h(
            "button",
            {
              type: "button",
              class: "primary",
              onclick: () => {
                reveal?.setAttribute("disabled", "");
                api.shootouts.reveal
                  .mutate({ shootoutId: shootout.id })
                  .then(() => api.shootouts.get.query({ shootoutId: shootout.id }))
                  .then(render)
                  .catch((error: unknown) => {
                    reveal?.removeAttribute("disabled");
                    mount(problem, errorBox(error));
                  });
              },
            },
            "Reveal the tones",
          )
        : null;
    // Not a render result (e.g. a job from before the pipeline): offer whatever files it wrote.
    const files = result || !job ? [] : await listJobFiles(job);
    const body = result
      ? resultParts(result, shootout)
      : files.length > 0
        ? [h("h3", null, "Downloads"), downloads(files)]
        : [h("p", { class: "empty" }, "This render produced no audio files.")];
    mount(element, h("h2", null, "Results"), blindNote(shootout), reveal, problem, body);
  }

  render(initial).catch((error: unknown) => mount(element, h("h2", null, "Results"), errorBox(error)));
  return element;
}
