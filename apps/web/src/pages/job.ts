import { errorBox } from "../components/error-box.ts";
import { progressBar } from "../components/progress-bar.ts";
import { progressMessages } from "../components/progress-messages.ts";
import { results } from "../components/results.ts";
import type { Job, JobStatus } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";
import { appendEntry, latestEntry, type ProgressLog } from "../lib/progress-log.ts";
import { loadProgressLog, saveProgressLog } from "../lib/progress-storage.ts";
import { api, onLiveState } from "../lib/trpc.ts";

const FINAL: readonly JobStatus[] = ["completed", "failed", "cancelled"];
const STATUS_TEXT: Record<JobStatus, string> = {
  pending: "Waiting",
  // Also what a render shows once its worker died: it is back in the queue, not frozen mid-way.
  queued: "Waiting for a worker",
  running: "Rendering",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * One job: a live progress bar and its messages, resumed after a reload or a server restart from
 * the last event seen (kept in sessionStorage, sent as `lastEventId`), then its results.
 */
export const jobPage: PageFactory = ({ params }) => {
  const jobId = params.id ?? "";
  let log: ProgressLog = loadProgressLog(jobId);
  let subscription: { unsubscribe(): void } | null = null;
  let disposed = false;

  const title = h("h1", null, "Render");
  const shootoutLink = h("p", { class: "meta" });
  const status = h("p", { class: "status", "data-testid": "job-status", "aria-live": "polite" });
  const connection = h(
    "p",
    { class: "connection", hidden: true, role: "status" },
    "Connection lost: reconnecting…",
  );
  const bar = progressBar("Render progress");
  const messages = progressMessages();
  const actions = h("div", { class: "actions" });
  const problem = h("div");
  const outcome = h("div");

  function showState(s: JobStatus, progress: number) {
    status.textContent = STATUS_TEXT[s];
    status.dataset.status = s;
    bar.set(progress, s === "completed" ? "done" : s === "failed" || s === "cancelled" ? "failed" : "active");
  }

  function showLog() {
    const last = latestEntry(log);
    if (last) showState(last.status, last.progress);
    messages.show(log.entries);
  }

  function showActions(job: Job) {
    const active = !FINAL.includes(job.status);
    mount(
      actions,
      active
        ? h(
            "button",
            {
              type: "button",
              class: "danger",
              onclick: () =>
                api.jobs.cancel.mutate({ jobId }).catch((e: unknown) => mount(problem, errorBox(e))),
            },
            job.cancelRequestedAt ? "Cancelling…" : "Cancel",
          )
        : null,
      job.status === "failed" || job.status === "cancelled"
        ? h(
            "button",
            {
              type: "button",
              onclick: () =>
                api.jobs.retry
                  .mutate({ jobId })
                  .then((retried) => {
                    mount(outcome);
                    showActions(retried);
                    follow();
                  })
                  .catch((e: unknown) => mount(problem, errorBox(e))),
            },
            "Try again",
          )
        : null,
    );
  }

  async function settle() {
    const job = await api.jobs.get.query({ jobId });
    showState(job.status, job.status === "completed" ? 100 : job.progress);
    showActions(job);
    if (job.status === "failed")
      mount(outcome, h("p", { class: "error", role: "alert" }, job.error ?? "The render failed."));
    if (job.status === "completed") {
      const shootout = await api.shootouts.get.query({ shootoutId: job.shootoutId });
      mount(outcome, results({ result: job.result, job }, shootout));
    }
  }

  // data-live says where the subscription is (tests and curious users can see it in the DOM).
  function follow() {
    subscription?.unsubscribe();
    element.dataset.live = "connecting";
    subscription = api.jobs.onProgress.subscribe(
      { jobId, lastEventId: log.lastSeq > 0 ? String(log.lastSeq) : null },
      {
        onData: ({ data }) => {
          const next = appendEntry(log, data);
          if (next === log) return;
          log = next;
          saveProgressLog(jobId, log);
          showLog();
        },
        onStarted: () => {
          element.dataset.live = "subscribed";
        },
        onError: (error) => mount(problem, errorBox(error)),
        onComplete: () => {
          element.dataset.live = "ended";
          // Finished: the socket closing when idle is no longer news.
          subscription = null;
          connection.hidden = true;
          if (!disposed) settle().catch((e: unknown) => mount(problem, errorBox(e)));
        },
      },
    );
  }

  const stopLive = onLiveState((state) => {
    connection.hidden = state === "open" || subscription === null;
  });

  showLog();
  api.jobs.get
    .query({ jobId })
    .then(async (job) => {
      if (!latestEntry(log)) showState(job.status, job.progress);
      showActions(job);
      const shootout = await api.shootouts.get.query({ shootoutId: job.shootoutId });
      title.textContent = shootout.name;
      mount(
        shootoutLink,
        h("a", { href: `/shootouts/${shootout.id}` }, "Shootout details"),
        ` · ${shootout.tones.length} tones`,
      );
    })
    .catch((error: unknown) => mount(problem, errorBox(error)));

  const element = h(
    "section",
    { class: "job" },
    title,
    shootoutLink,
    h(
      "div",
      { class: "card" },
      status,
      bar.element,
      connection,
      actions,
      problem,
      h("h2", { class: "small-head" }, "Progress"),
      messages.element,
    ),
    outcome,
  );
  follow();
  return {
    title: "Render",
    element,
    dispose() {
      disposed = true;
      stopLive();
      subscription?.unsubscribe();
    },
  };
};
