import { h, mount } from "../lib/dom.ts";
import type { ProgressEntry } from "../lib/progress-log.ts";

function line(entry: ProgressEntry): HTMLElement {
  const time = new Date(entry.at).toLocaleTimeString();
  return h(
    "li",
    { "data-seq": String(entry.seq), class: `status-${entry.status}` },
    h("time", null, time),
    h("span", { class: "pct" }, `${entry.progress}%`),
    h("span", null, entry.message || entry.status),
  );
}

/** The job's messages, oldest first; shows each seq once whatever arrives twice. */
export function progressMessages() {
  const element = h("ol", { class: "messages", "aria-live": "polite", "aria-label": "Progress messages" });
  return {
    element,
    show(entries: readonly ProgressEntry[]) {
      mount(element, entries.map(line));
      element.scrollTop = element.scrollHeight;
    },
  };
}
