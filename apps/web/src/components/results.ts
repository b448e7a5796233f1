import type { FileInfo, Job, Shootout } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { formatBytes } from "../lib/format.ts";
import { classifyOutputs } from "../lib/job-outputs.ts";
import { listJobFiles } from "../lib/list-job-files.ts";
import { api } from "../lib/trpc.ts";
import { errorBox } from "./error-box.ts";
import { metricsTable } from "./metrics-table.ts";
import { segmentPlayer } from "./segment-player.ts";

function downloads(files: readonly FileInfo[]): HTMLElement {
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

/** A revealed blind shootout's key, as the owner sees it after pressing Reveal. */
function revealNote(shootout: Shootout): HTMLElement | null {
  if (!shootout.blind) return null;
  if (shootout.revealedAt)
    return h("p", { class: "note" }, "Revealed: the segments below show which tone is which.");
  return h(
    "p",
    { class: "note" },
    "Blind mode: the tones play in a shuffled order and their names stay hidden until you reveal them.",
  );
}

/**
 * A finished job's results: the joined file with a player per segment, per-tone files, the video,
 * the metrics table, downloads, and the reveal button of a blind shootout (owner only).
 */
export function results(job: Job, initial: Shootout): HTMLElement {
  const element = h(
    "section",
    { class: "results", "data-testid": "results", "aria-label": "Results" },
    h("h2", null, "Results"),
    h("p", { class: "muted" }, "Loading results…"),
  );

  async function render(shootout: Shootout) {
    const files = await listJobFiles(job);
    const outputs = classifyOutputs(job, files, shootout.tones);
    const tones = [...shootout.tones].sort((a, b) => a.position - b.position);
    const revealButton =
      shootout.isOwner && shootout.blind && !shootout.revealedAt
        ? h(
            "button",
            {
              type: "button",
              class: "primary",
              onclick: () => {
                revealButton?.setAttribute("disabled", "");
                api.shootouts.reveal
                  .mutate({ shootoutId: shootout.id })
                  .then(() => api.shootouts.get.query({ shootoutId: shootout.id }))
                  .then((revealed) => render(revealed))
                  .catch((error: unknown) => element.append(errorBox(error)));
              },
            },
            "Reveal the tones",
          )
        : null;

    const audioParts =
      outputs.joined.length > 0
        ? [h("h3", null, "Joined"), segmentPlayer(outputs.joined[0]!, tones)]
        : [
            h(
              "p",
              { class: "empty" },
              files.length === 0 ? "This render produced no audio files." : "No joined audio file.",
            ),
          ];
    const perTone = tones.flatMap((tone) => {
      const own = outputs.perTone.get(tone.id)?.[0];
      return own
        ? [
            h(
              "li",
              null,
              h("span", { class: "segment-name" }, tone.displayName),
              h("audio", {
                controls: true,
                preload: "none",
                src: `/files/${own.id}`,
                "aria-label": `${tone.displayName} alone`,
              }),
            ),
          ]
        : [];
    });

    mount(
      element,
      h("h2", null, "Results"),
      revealNote(shootout),
      revealButton,
      audioParts,
      perTone.length > 0 ? [h("h3", null, "Per tone"), h("ul", { class: "per-tone" }, perTone)] : null,
      outputs.video
        ? [
            h("h3", null, "Video"),
            h("video", {
              controls: true,
              preload: "metadata",
              src: `/files/${outputs.video.id}`,
              "data-testid": "video",
            }),
          ]
        : null,
      metricsTable(tones),
      files.length > 0 ? [h("h3", null, "Downloads"), downloads(files)] : null,
    );
  }

  render(initial).catch((error: unknown) => mount(element, h("h2", null, "Results"), errorBox(error)));
  return element;
}
