/** `/auth/login` starts the Tone 3000 sign-in and comes back to `returnTo` (a path on this site). */
export function signInUrl(returnTo: string): string {
  const path = returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
  return `/auth/login?${new URLSearchParams({ returnTo: path })}`;
}
