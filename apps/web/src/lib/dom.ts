/** The tiny view layer: build DOM elements from tag, properties and children. No virtual DOM. */

type Child = Node | string | number | null | undefined | false;
export type Children = Child | readonly Children[];

type Handler<E extends Event> = (event: E) => void;

export interface Props {
  class?: string;
  id?: string;
  for?: string;
  role?: string;
  title?: string;
  href?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  min?: string;
  max?: string;
  step?: string;
  accept?: string;
  src?: string;
  alt?: string;
  loading?: "lazy" | "eager";
  width?: string;
  height?: string;
  scope?: "col" | "row";
  download?: string;
  target?: string;
  rel?: string;
  checked?: boolean;
  disabled?: boolean;
  required?: boolean;
  hidden?: boolean;
  controls?: boolean;
  preload?: string;
  "aria-label"?: string;
  "aria-live"?: "polite" | "assertive" | "off";
  "aria-describedby"?: string;
  "aria-invalid"?: "true" | "false";
  "aria-valuenow"?: string;
  "aria-valuemin"?: string;
  "aria-valuemax"?: string;
  "aria-current"?: string;
  [data: `data-${string}`]: string | undefined;
  onclick?: Handler<MouseEvent>;
  oninput?: Handler<Event>;
  onchange?: Handler<Event>;
  onsubmit?: Handler<SubmitEvent>;
}

const PROPERTY_KEYS = new Set(["value", "checked", "disabled", "required", "hidden", "controls"]);

function append(parent: Node, children: Children): void {
  if (children === null || children === undefined || children === false) return;
  if (Array.isArray(children)) {
    for (const child of children as readonly Children[]) append(parent, child);
    return;
  }
  if (children instanceof Node) parent.appendChild(children);
  else parent.appendChild(document.createTextNode(String(children)));
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value as EventListener);
    } else if (PROPERTY_KEYS.has(key)) {
      Reflect.set(element, key, value);
    } else if (typeof value === "boolean") {
      if (value) element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

/** Replaces everything inside `parent` with `children`. */
export function mount(parent: Element, ...children: Children[]): void {
  parent.replaceChildren();
  append(parent, children);
}
