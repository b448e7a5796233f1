import type { Me } from "./api-types.ts";
import type { Params } from "./router.ts";

export interface PageContext {
  readonly params: Params;
  readonly query: URLSearchParams;
  /** The signed-in user (pages that need one are only shown when there is one). */
  readonly me: Me | null;
  navigate(path: string, options?: { replace?: boolean }): void;
}

/** A rendered page: its element, its title, and what to stop when the user leaves it. */
export interface Page {
  readonly title: string;
  readonly element: HTMLElement;
  dispose?(): void;
}

export type PageFactory = (context: PageContext) => Page;
