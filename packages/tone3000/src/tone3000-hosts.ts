import { isIP } from "node:net";

// Which hosts are Tone 3000's, for the Bearer token: the configured base origin and its `www.`
// twin (https://tone3000.com serves files from https://www.tone3000.com, and the other way round).
// Same scheme and port; an IP address has no twin.

export interface Tone3000Hosts {
  /** The base origin and its twin, e.g. `https://tone3000.com`, `https://www.tone3000.com`. */
  readonly origins: readonly string[];
  /** Whether the token may go to `url`. */
  owns(url: URL): boolean;
}

export function wwwTwinOrigin(base: URL): string | null {
  const host = base.hostname;
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) return null;
  const twin = new URL(base.origin);
  twin.hostname = host.startsWith("www.") ? host.slice(4) : `www.${host}`;
  return twin.origin;
}

export function tone3000Hosts(baseUrl: string | URL): Tone3000Hosts {
  const base = new URL(baseUrl);
  const twin = wwwTwinOrigin(base);
  const origins = twin ? [base.origin, twin] : [base.origin];
  return { origins, owns: (url) => origins.includes(url.origin) };
}
