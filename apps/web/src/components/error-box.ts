import { h } from "../lib/dom.ts";
import { toShownError } from "../lib/errors.ts";

/** A form- or page-level error (role=alert, so screen readers announce it). */
export function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, toShownError(error).message);
}
