import type { Job, JobStatus } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { formatDate } from "../lib/format.ts";
import { api } from "../lib/trpc.ts";
import { errorBox } from "./error-box.ts";

const SHOWN = 5;

interface Row {
  readonly jobId: string;
  readonly createdAt: string;
  shootoutName: string;
  status: JobStatus;
}

/**
 * The user's latest renders with live status badges: jobs.list once, then jobs.onMine (one event
 * per change of status of any of their jobs, new ones included).
 */
export function recentRenders(): { element: HTMLElement; dispose(): void } {
  const list = h("ul", { class: "jobs", "data-testid": "recent-renders", "aria-live": "polite" });
  const element = h("section", null, h("h2", null, "Recent renders"), list);
  let rows: Row[] = [];
  const names = new Map<string, Promise<string>>();

  const nameOf = (shootoutId: string) => {
    let name = names.get(shootoutId);
    if (!name) {
      name = api.shootouts.get
        .query({ shootoutId })
        .then((s) => s.name)
        .catch(() => "A shootout");
      names.set(shootoutId, name);
    }
    return name;
  };

  function render() {
    if (rows.length === 0) {
      mount(list, h("li", { class: "empty" }, "No renders yet."));
      return;
    }
    mount(
      list,
      rows.map((row) =>
        h(
          "li",
          { "data-job-id": row.jobId },
          h("a", { href: `/jobs/${row.jobId}` }, row.shootoutName),
          h("span", { class: "meta" }, ` ${formatDate(row.createdAt)}`),
          h("span", { class: `badge status-${row.status}`, "data-status": row.status }, row.status),
        ),
      ),
    );
  }

  async function toRow(job: Job): Promise<Row> {
    return {
      jobId: job.id,
      createdAt: job.createdAt,
      shootoutName: await nameOf(job.shootoutId),
      status: job.status,
    };
  }

  function addNew(jobId: string) {
    void api.jobs.get
      .query({ jobId })
      .then(toRow)
      .then((fresh) => {
        const known = rows.find((r) => r.jobId === fresh.jobId);
        if (known) known.status = fresh.status;
        else rows = [fresh, ...rows].slice(0, SHOWN);
        render();
      })
      .catch(() => undefined);
  }

  // Subscribe first, so a change between the list and the subscription is not missed.
  const pending = new Map<string, JobStatus>();
  let loaded = false;
  const subscription = api.jobs.onMine.subscribe(undefined, {
    onData: ({ data: event }) => {
      const row = rows.find((r) => r.jobId === event.jobId);
      if (row) {
        row.status = event.status;
        render();
      } else if (!loaded) {
        pending.set(event.jobId, event.status);
      } else {
        addNew(event.jobId);
      }
    },
    onError: (error) => element.append(errorBox(error)),
  });

  api.jobs.list
    .query({ limit: SHOWN })
    .then((page) => Promise.all(page.items.map(toRow)))
    .then((loadedRows) => {
      rows = loadedRows.map((r) => ({ ...r, status: pending.get(r.jobId) ?? r.status }));
      loaded = true;
      render();
      // Jobs that changed while the list was loading and are not on it: new ones.
      for (const jobId of pending.keys()) {
        if (!rows.some((r) => r.jobId === jobId)) addNew(jobId);
      }
    })
    .catch((error: unknown) => mount(list, h("li", null, errorBox(error))));

  return { element, dispose: () => subscription.unsubscribe() };
}
