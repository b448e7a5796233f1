/**
 * `fetch`, except that a `*.localhost` name (RFC 6761 §6.3: always loopback) is reached as
 * `localhost`. Browsers do this on their own; Node's resolver mostly does not (glibc without
 * nss-myhostname answers ENOTFOUND for `www.localhost`). The local stand-in serves its files on
 * `www.localhost` the way Tone 3000 serves them on `www.tone3000.com`; this is what lets the
 * client reach that host name on any machine. Nothing else is changed.
 */
export const localhostFetch: typeof globalThis.fetch = (input, init) => {
  const raw = input instanceof Request ? input.url : input.toString();
  const url = new URL(raw);
  if (!url.hostname.endsWith(".localhost")) return globalThis.fetch(input, init);
  url.hostname = "localhost";
  return globalThis.fetch(input instanceof Request ? new Request(url, input) : url, init);
};
