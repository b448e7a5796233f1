import type { HttpMethod, Route } from "./route.ts";

export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "method_not_allowed"; readonly allow: readonly HttpMethod[] }
  | { readonly kind: "not_found" };

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** A small matcher over plain routes; a GET route answers HEAD as well. */
export function createRouteTable(routes: readonly Route[]): {
  match(method: string, pathname: string): RouteMatch;
} {
  const compiled: Compiled[] = routes.map((route) => ({ route, segments: split(route.path) }));

  function matchPath(entry: Compiled, parts: readonly string[]): Record<string, string> | null {
    if (entry.segments.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const want = entry.segments[i]!;
      const got = parts[i]!;
      if (want.startsWith(":")) {
        try {
          params[want.slice(1)] = decodeURIComponent(got);
        } catch {
          return null;
        }
      } else if (want !== got) {
        return null;
      }
    }
    return params;
  }

  return {
    match(method, pathname) {
      const parts = split(pathname);
      const allow: HttpMethod[] = [];
      for (const entry of compiled) {
        const params = matchPath(entry, parts);
        if (!params) continue;
        const m = entry.route.method;
        if (m === method || (m === "GET" && method === "HEAD"))
          return { kind: "found", route: entry.route, params };
        allow.push(m);
        if (m === "GET") allow.push("HEAD");
      }
      return allow.length > 0 ? { kind: "method_not_allowed", allow } : { kind: "not_found" };
    },
  };
}
