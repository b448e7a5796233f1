import type { Catalog, CatalogUser } from "./catalog.ts";
import { escapeHtml } from "./html.ts";

// The stand-in's stand-in for Tone 3000's sign-in page: pick which catalogue user you are. Each
// choice is the same authorize request with `login_hint` set (what a real client may send too),
// so the choice goes through the one code path that `login_hint` takes.

/** A catalogue user by username or id, case-insensitively. */
export function findCatalogUser(catalog: Catalog, hint: string): CatalogUser | undefined {
  const wanted = hint.trim().toLowerCase();
  for (const user of catalog.users.values()) {
    if (user.username.toLowerCase() === wanted || user.id.toLowerCase() === wanted) return user;
  }
  return undefined;
}

export function chooserPage(catalog: Catalog, authorizeUrl: URL, notice?: string): string {
  const link = (params: Record<string, string>) => {
    const url = new URL(authorizeUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return escapeHtml(`${url.pathname}${url.search}`);
  };
  const users = [...catalog.users.values()]
    .map(
      (user) =>
        `<li><a href="${link({ login_hint: user.username })}" data-user-id="${escapeHtml(user.id)}">${escapeHtml(user.username)}</a>${user.bio ? ` <small>${escapeHtml(user.bio)}</small>` : ""}</li>`,
    )
    .join("");
  return [
    '<!doctype html><meta charset="utf-8"><title>Sign in to Tone 3000 (local stand-in)</title>',
    "<h1>Sign in to Tone 3000</h1>",
    "<p>This is the local stand-in. Choose who you are; another browser (or a private window) can sign in as someone else.</p>",
    notice ? `<p role="alert">${escapeHtml(notice)}</p>` : "",
    `<ul>${users}</ul>`,
    `<p><a href="${link({ deny: "1" })}">Cancel (deny access)</a></p>`,
  ].join("");
}
