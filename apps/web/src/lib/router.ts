/** Client-side routes over the History API: a path pattern per page, `:name` for one segment. */

export type Params = Readonly<Record<string, string>>;

export interface RouteDef<T> {
  readonly pattern: string;
  readonly page: T;
}

export function matchRoute<T>(
  routes: readonly RouteDef<T>[],
  pathname: string,
): { page: T; params: Params } | null {
  const parts = pathname.split("/").filter(Boolean);
  for (const route of routes) {
    const want = route.pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, segment] of want.entries()) {
      const got = parts[i]!;
      if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(got);
      else if (segment !== got) ok = false;
    }
    if (ok) return { page: route.page, params };
  }
  return null;
}

/** Paths the server answers itself: links to them are real navigations, never client routes. */
const SERVER_PATHS = ["/auth/", "/files/", "/trpc"];

/** Turns clicks on same-origin links into client navigations. */
export function interceptLinks(navigate: (path: string) => void): void {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target instanceof Element ? event.target.closest("a") : null;
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (SERVER_PATHS.some((p) => url.pathname.startsWith(p))) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
