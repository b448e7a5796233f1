import { h } from "../lib/dom.ts";

/** An accessible progress bar (role=progressbar with aria-valuenow) with its percentage. */
export function progressBar(label: string) {
  const fill = h("div", { class: "progress-fill" });
  const text = h("span", { class: "progress-text" }, "0%");
  const track = h(
    "div",
    {
      class: "progress",
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": "0",
      "data-testid": "job-progress",
    },
    fill,
  );
  const element = h("div", { class: "progress-row" }, track, text);
  return {
    element,
    set(percent: number, state: "active" | "done" | "failed") {
      const value = Math.max(0, Math.min(100, Math.round(percent)));
      track.setAttribute("aria-valuenow", String(value));
      track.dataset.state = state;
      fill.style.width = `${value}%`;
      text.textContent = `${value}%`;
    },
  };
}
