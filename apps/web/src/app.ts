import type { Me } from "./lib/api-types.ts";
import { h, mount } from "./lib/dom.ts";
import type { Page, PageFactory } from "./lib/page.ts";
import { interceptLinks, matchRoute, type RouteDef } from "./lib/router.ts";
import { signInUrl } from "./lib/sign-in-url.ts";
import { api, closeLiveConnection } from "./lib/trpc.ts";
import { editShootoutPage } from "./pages/edit-shootout.ts";
import { jobPage } from "./pages/job.ts";
import { newShootoutPage } from "./pages/new-shootout.ts";
import { notFoundPage } from "./pages/not-found.ts";
import { publicShootoutsPage } from "./pages/public-shootouts.ts";
import { shootoutPage } from "./pages/shootout.ts";
import { shootoutsListPage } from "./pages/shootouts-list.ts";
import { signInPage } from "./pages/sign-in.ts";

interface PageRoute {
  readonly factory: PageFactory;
  /** Shown only to a signed-in user; others get the sign-in page (and come back here after). */
  readonly signedIn: boolean;
}

const ROUTES: readonly RouteDef<PageRoute>[] = [
  { pattern: "/", page: { factory: shootoutsListPage, signedIn: true } },
  { pattern: "/sign-in", page: { factory: signInPage, signedIn: false } },
  { pattern: "/new", page: { factory: newShootoutPage, signedIn: true } },
  { pattern: "/public", page: { factory: publicShootoutsPage, signedIn: false } },
  // Public shootouts can be opened signed out.
  { pattern: "/shootouts/:id", page: { factory: shootoutPage, signedIn: false } },
  { pattern: "/shootouts/:id/edit", page: { factory: editShootoutPage, signedIn: true } },
  { pattern: "/jobs/:id", page: { factory: jobPage, signedIn: true } },
];

/** The shell (header, main) and the page in it, swapped on navigation. */
export function startApp(root: HTMLElement, me: Me | null): void {
  const main = h("main", { id: "main" });
  let current: Page | null = null;

  function navigate(path: string, options: { replace?: boolean } = {}) {
    if (options.replace) window.history.replaceState(null, "", path);
    else window.history.pushState(null, "", path);
    show();
  }

  function show() {
    current?.dispose?.();
    const url = new URL(window.location.href);
    const match = matchRoute(ROUTES, url.pathname);
    const route = match?.page ?? { factory: notFoundPage, signedIn: false };
    const factory = route.signedIn && !me ? signInPage : route.factory;
    current = factory({ params: match?.params ?? {}, query: url.searchParams, me, navigate });
    document.title = `${current.title} · Shootout`;
    mount(main, current.element);
    window.scrollTo(0, 0);
  }

  const signOut = h(
    "button",
    {
      type: "button",
      class: "link",
      onclick: () => {
        signOut.disabled = true;
        api.auth.logout
          .mutate()
          .catch(() => undefined)
          .finally(() => {
            closeLiveConnection();
            window.location.assign("/");
          });
      },
    },
    "Sign out",
  );

  const header = h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: "/" }, "Shootout"),
    me
      ? h(
          "nav",
          { "aria-label": "Main" },
          h("a", { href: "/" }, "My shootouts"),
          h("a", { href: "/new" }, "New shootout"),
          h("a", { href: "/public" }, "Public shootouts"),
          h("span", { class: "user", "data-testid": "user" }, me.user.username),
          signOut,
        )
      : h(
          "nav",
          { "aria-label": "Main" },
          h("a", { href: "/public" }, "Public shootouts"),
          h("a", { href: "/sign-in" }, "Sign in"),
        ),
  );

  // Renders download models with the owner's Tone 3000 access; once Tone 3000 has revoked it,
  // say so everywhere (sign-in keeps our own session, so nothing else would tell).
  const lapsed =
    me && !me.tone3000Access
      ? h(
          "p",
          { class: "note", role: "status", "data-testid": "tone3000-lapsed" },
          "Your Tone 3000 access has ended, so new renders cannot download models. ",
          h("a", { href: signInUrl(window.location.pathname) }, "Sign in with Tone 3000 again"),
          ".",
        )
      : null;
  mount(root, header, lapsed, main);
  interceptLinks((path) => navigate(path));
  window.addEventListener("popstate", show);
  show();
}
