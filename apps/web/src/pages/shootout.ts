import { errorBox } from "../components/error-box.ts";
import { results } from "../components/results.ts";
import type { Job, Shootout } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { formatDate } from "../lib/format.ts";
import type { PageFactory } from "../lib/page.ts";
import { toneCredit } from "../lib/tone-credit.ts";
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
            ` ${[t.amp ? t.modelSize : "no amp", t.irName ? `IR: ${t.irName}` : "no IR", t.highpass ? "80 Hz high-pass" : null, ...t.effects].filter(Boolean).join(" · ")}`,
          ),
          toneCredit(t) ? h("span", { class: "meta credit" }, ` · ${toneCredit(t)}`) : null,
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

/**
 * The owner's controls: share it (public: anyone with the link can listen) or stop sharing, and
 * delete it (refused while a render runs). `reload` shows the page again with the new state.
 */
function ownerActions(
  shootout: Shootout,
  problem: HTMLElement,
  reload: () => void,
  navigate: (path: string) => void,
): HTMLElement {
  const share = h(
    "button",
    {
      type: "button",
      onclick: () => {
        share.disabled = true;
        api.shootouts.update
          .mutate({ shootoutId: shootout.id, isPublic: !shootout.isPublic })
          .then(reload)
          .catch((e: unknown) => {
            share.disabled = false;
            mount(problem, errorBox(e));
          });
      },
    },
    shootout.isPublic ? "Stop sharing" : "Share publicly",
  );
  const remove = h(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: () => {
        if (!window.confirm(`Delete "${shootout.name}" and its renders? This cannot be undone.`)) return;
        remove.disabled = true;
        api.shootouts.delete
          .mutate({ shootoutId: shootout.id })
          .then(() => navigate("/"))
          .catch((e: unknown) => {
            remove.disabled = false;
            mount(problem, errorBox(e));
          });
      },
    },
    "Delete",
  );
  return h(
    "div",
    { class: "owner-actions" },
    h(
      "span",
      { class: "meta", "data-testid": "visibility" },
      shootout.isPublic ? "Public: anyone with the link can listen. " : "Private: only you can see it. ",
    ),
    h("a", { class: "button", href: `/shootouts/${shootout.id}/edit` }, "Edit"),
    share,
    remove,
  );
}

/**
 * One shootout: its settings and tones, its renders (the owner's), and the latest finished
 * render's results (for anyone who may see the shootout: a public one's can be heard signed out).
 */
export const shootoutPage: PageFactory = ({ params, navigate }) => {
  const shootoutId = params.id ?? "";
  const element = h("section", null, h("p", { class: "muted" }, "Loading…"));
  const reload = () => navigate(`/shootouts/${shootoutId}`, { replace: true });

  Promise.all([api.shootouts.get.query({ shootoutId }), api.shootouts.latestResult.query({ shootoutId })])
    .then(async ([shootout, latest]) => {
      // Renders are the owner's business (and jobs.list needs a session).
      const jobs = shootout.isOwner ? (await api.jobs.list.query({ shootoutId, limit: 10 })).items : [];
      const active = jobs.find((j) => !["completed", "failed", "cancelled"].includes(j.status));
      const latestJob = latest ? (jobs.find((j) => j.id === latest.jobId) ?? null) : null;
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
            active ? "Watch the render in progress" : latest ? "Render again" : "Render",
          )
        : null;
      mount(
        element,
        h("div", { class: "page-head" }, h("h1", null, shootout.name), render),
        shootout.isOwner ? ownerActions(shootout, problem, reload, navigate) : null,
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
        jobs.length > 0 ? [h("h2", null, "Renders"), h("ul", { class: "jobs" }, jobs.map(jobRow))] : null,
        latest
          ? results({ result: latest.result, job: latestJob }, shootout)
          : shootout.isOwner
            ? null
            : h("p", { class: "empty" }, "Not rendered yet."),
      );
    })
    .catch((error: unknown) => mount(element, errorBox(error)));

  return { title: "Shootout", element };
};
