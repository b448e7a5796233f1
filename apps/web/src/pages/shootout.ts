import { errorBox } from "../components/error-box.ts";
import { results } from "../components/results.ts";
import type { Job, Shootout } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { formatDate } from "../lib/format.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

function toneList(shootout: Shootout): HTMLElement {
  return h(
    "ol",
    { class: "tone-summary" },
    [...shootout.tones]
      .sort((a, b) => a.position - b.position)
      .map((t) =>
        h(
          "li",
          null,
          h("strong", null, t.displayName),
          h(
            "span",
            { class: "meta" },
            ` ${[t.modelSize, t.irFileId ? "with IR" : "no IR", t.highpass ? "80 Hz high-pass" : null, ...t.effects].filter(Boolean).join(" · ")}`,
          ),
        ),
      ),
  );
}

function jobRow(job: Job): HTMLElement {
  return h(
    "li",
    null,
    h("a", { href: `/jobs/${job.id}` }, formatDate(job.createdAt)),
    h("span", { class: `badge status-${job.status}` }, job.status),
    job.status === "running" ? h("span", { class: "meta" }, ` ${job.progress}%`) : null,
  );
}

/** One shootout: its settings and tones, its renders, and the latest finished render's results. */
export const shootoutPage: PageFactory = ({ params, navigate }) => {
  const shootoutId = params.id ?? "";
  const element = h("section", null, h("p", { class: "muted" }, "Loading…"));

  Promise.all([api.shootouts.get.query({ shootoutId }), api.jobs.list.query({ shootoutId, limit: 10 })])
    .then(([shootout, jobs]) => {
      const latestDone = jobs.items.find((j) => j.status === "completed");
      const active = jobs.items.find((j) => !["completed", "failed", "cancelled"].includes(j.status));
      const problem = h("div");
      const render = shootout.isOwner
        ? h(
            "button",
            {
              type: "button",
              class: "primary",
              onclick: () =>
                api.jobs.create
                  .mutate({ shootoutId })
                  .then((job) => navigate(`/jobs/${job.id}`))
                  .catch((e: unknown) => mount(problem, errorBox(e))),
            },
            active ? "Watch the render in progress" : latestDone ? "Render again" : "Render",
          )
        : null;
      mount(
        element,
        h("div", { class: "page-head" }, h("h1", null, shootout.name), render),
        problem,
        shootout.description ? h("p", null, shootout.description) : null,
        h(
          "p",
          { class: "meta" },
          [
            shootout.guitar,
            shootout.pickup,
            `${shootout.sampleRate / 1000} kHz`,
            shootout.outputFormats.join(", "),
            shootout.normalizeLoudness ? `normalized to ${shootout.targetLufs} LUFS` : "not normalized",
            shootout.blind ? "blind" : null,
          ]
            .filter(Boolean)
            .join(" · "),
        ),
        h("h2", null, "Tones"),
        toneList(shootout),
        jobs.items.length > 0
          ? [h("h2", null, "Renders"), h("ul", { class: "jobs" }, jobs.items.map(jobRow))]
          : null,
        latestDone ? results(latestDone, shootout) : null,
      );
    })
    .catch((error: unknown) => mount(element, errorBox(error)));

  return { title: "Shootout", element };
};
