/** A browser's cookie store, small: name, value and path; Max-Age=0 deletes. Enough for one host. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string; raw: string }>();

  /** Takes every Set-Cookie of a response. */
  take(response: Response): void {
    for (const raw of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = raw.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const attr = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key.toLowerCase()}=`))?.split("=")[1];
      if (attr("Max-Age") === "0") this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path: attr("Path") ?? "/", raw });
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  /** The Set-Cookie line that set `name` (to check its attributes). */
  raw(name: string): string | undefined {
    return this.#cookies.get(name)?.raw;
  }

  set(name: string, value: string, path = "/"): void {
    this.#cookies.set(name, { value, path, raw: `${name}=${value}` });
  }

  /** The Cookie header a browser would send to `pathname`. */
  header(pathname: string): string {
    return [...this.#cookies]
      .filter(
        ([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`),
      )
      .map(([name, c]) => `${name}=${encodeURIComponent(c.value)}`)
      .join("; ");
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  /** A fetch that sends and keeps this jar's cookies and never follows redirects. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(new URL(url).pathname);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.take(response);
    return response;
  }
}
