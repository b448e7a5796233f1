import { type Children, h } from "../lib/dom.ts";

let counter = 0;

/** A labelled control with a slot for its errors, linked for assistive technology. */
export interface Field<C extends HTMLElement> {
  readonly element: HTMLElement;
  readonly control: C;
  showErrors(messages: readonly string[]): void;
}

export function field<C extends HTMLElement>(label: string, control: C, hint?: Children): Field<C> {
  const id = control.id || `f${++counter}`;
  control.id = id;
  const errorId = `${id}-error`;
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  control.setAttribute("aria-describedby", errorId);
  const element = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint" }, hint) : null,
    error,
  );
  return {
    element,
    control,
    showErrors(messages) {
      error.textContent = messages.join(" ");
      error.hidden = messages.length === 0;
      control.setAttribute("aria-invalid", messages.length > 0 ? "true" : "false");
    },
  };
}

/** A checkbox with its label after it. */
export function checkbox(label: string, checked: boolean, onchange?: (checked: boolean) => void) {
  const input = h("input", {
    type: "checkbox",
    checked,
    onchange: () => onchange?.(input.checked),
  });
  const element = h("label", { class: "check" }, input, h("span", null, label));
  return { element, input };
}
