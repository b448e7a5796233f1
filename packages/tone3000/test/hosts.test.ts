import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTone3000Client, type Tone3000Client, tone3000Hosts, wwwTwinOrigin } from "../src/index.ts";
import { rejectionOf } from "./helpers.ts";

// The host rule over real HTTP: the Bearer token goes to the base origin and its www. twin only;
// redirects are followed by hand and a hop that leaves Tone 3000's hosts goes (and stays) without it.

interface Seen {
  server: "t3k" | "elsewhere";
  path: string;
  authorization: string | undefined;
}

const TOKEN = "t3k_at_test_token";

describe("the Bearer token goes only to Tone 3000's hosts", () => {
  let t3k: Server;
  let elsewhere: Server;
  let t3kPort: number;
  let elsewherePort: number;
  let seen: Seen[] = [];
  let client: Tone3000Client;
  let refreshes = 0;

  const base = () => `http://localhost:${t3kPort}`;
  const twin = () => `http://www.localhost:${t3kPort}`;
  const other = () => `http://127.0.0.1:${elsewherePort}`;

  function recorder(name: Seen["server"], route: (path: string, res: ServerResponse) => void) {
    return (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? "/";
      seen.push({ server: name, path, authorization: req.headers.authorization });
      route(path, res);
    };
  }
  const redirect = (res: ServerResponse, location: string, status = 302) => {
    res.writeHead(status, { location, "content-length": 0 });
    res.end();
  };
  const bytes = (res: ServerResponse, body: string) => {
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  };

  beforeAll(async () => {
    t3k = createServer(
      recorder("t3k", (path, res) => {
        if (path === "/file.wav") return bytes(res, "t3k file");
        if (path === "/to-twin") return redirect(res, `${twin()}/file.wav`);
        if (path === "/to-elsewhere") return redirect(res, `${other()}/signed.wav?sig=1`, 307);
        if (path === "/to-elsewhere-and-back") return redirect(res, `${other()}/back-to-t3k`);
        if (path === "/loop") return redirect(res, "/loop");
        if (path === "/to-file-scheme") return redirect(res, "file:///etc/passwd");
        if (path === "/no-location") {
          res.writeHead(302, { "content-length": 0 });
          return res.end();
        }
        if (path === "/api/v1/user") return redirect(res, `${twin()}/api/v1/me`, 308);
        if (path === "/api/v1/me") {
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify({ id: "u1", username: "someone" }));
        }
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "Not found" }));
      }),
    );
    elsewhere = createServer(
      recorder("elsewhere", (path, res) => {
        if (path.startsWith("/signed.wav")) return bytes(res, "storage file");
        if (path === "/back-to-t3k") return redirect(res, `${base()}/file.wav`);
        if (path === "/401") {
          res.writeHead(401, { "content-type": "application/json" });
          return res.end(JSON.stringify({ error: "Unauthorized" }));
        }
        return bytes(res, "elsewhere");
      }),
    );
    await new Promise<void>((resolve) => t3k.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    t3kPort = (t3k.address() as AddressInfo).port;
    elsewherePort = (elsewhere.address() as AddressInfo).port;
    client = createTone3000Client({
      baseUrl: base(),
      tokens: {
        getAccessToken: async () => TOKEN,
        refresh: async () => {
          refreshes++;
          return TOKEN;
        },
      },
    });
  });
  afterAll(async () => {
    t3k.closeAllConnections();
    elsewhere.closeAllConnections();
    await new Promise((resolve) => t3k.close(resolve));
    await new Promise((resolve) => elsewhere.close(resolve));
  });
  beforeEach(() => {
    seen = [];
    refreshes = 0;
  });

  const bearer = `Bearer ${TOKEN}`;
  const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

  it("knows the base origin's www. twin (both ways) and nothing else", () => {
    expect(wwwTwinOrigin(new URL("https://tone3000.com"))).toBe("https://www.tone3000.com");
    expect(wwwTwinOrigin(new URL("https://www.tone3000.com/api"))).toBe("https://tone3000.com");
    expect(wwwTwinOrigin(new URL("http://127.0.0.1:4300"))).toBeNull();
    const hosts = tone3000Hosts("https://tone3000.com");
    expect(hosts.owns(new URL("https://www.tone3000.com/api/v1/models/1/download/a.nam"))).toBe(true);
    expect(hosts.owns(new URL("https://tone3000.com/x"))).toBe(true);
    expect(hosts.owns(new URL("https://api.tone3000.com/x"))).toBe(false);
    expect(hosts.owns(new URL("https://www.tone3000.com:8443/x"))).toBe(false);
    expect(hosts.owns(new URL("http://www.tone3000.com/x"))).toBe(false);
    expect(hosts.owns(new URL("https://tone3000.com.evil.example/x"))).toBe(false);
  });

  it("sends the token to a model_url on the www. twin", async () => {
    const file = await client.downloadFile(`${twin()}/file.wav`);
    expect(text(file.bytes)).toBe("t3k file");
    expect(seen).toEqual([{ server: "t3k", path: "/file.wav", authorization: bearer }]);
  });

  it("follows a redirect between the base and its twin with the token on every hop", async () => {
    const file = await client.downloadFile(`${base()}/to-twin`);
    expect(text(file.bytes)).toBe("t3k file");
    expect(file.url).toBe(`${twin()}/file.wav`);
    expect(seen.map((s) => s.authorization)).toEqual([bearer, bearer]);
  });

  it("follows a redirect off Tone 3000's hosts without the token (signed storage URLs need none)", async () => {
    const file = await client.downloadFile(`${base()}/to-elsewhere`);
    expect(text(file.bytes)).toBe("storage file");
    expect(file.url).toBe(`${other()}/signed.wav?sig=1`);
    expect(seen).toEqual([
      { server: "t3k", path: "/to-elsewhere", authorization: bearer },
      { server: "elsewhere", path: "/signed.wav?sig=1", authorization: undefined },
    ]);
  });

  it("once a chain has left Tone 3000, it never gets the token back", async () => {
    const file = await client.downloadFile(`${base()}/to-elsewhere-and-back`);
    expect(text(file.bytes)).toBe("t3k file");
    expect(seen.map((s) => [s.server, s.authorization])).toEqual([
      ["t3k", bearer],
      ["elsewhere", undefined],
      ["t3k", undefined],
    ]);
  });

  it("fetches a model_url that is off Tone 3000's hosts without the token, and a 401 there is not refreshed", async () => {
    expect(text((await client.downloadFile(`${other()}/plain.wav`)).bytes)).toBe("elsewhere");
    expect(seen).toEqual([{ server: "elsewhere", path: "/plain.wav", authorization: undefined }]);
    const refused = await rejectionOf(client.downloadFile(`${other()}/401`));
    expect(refused).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(refreshes).toBe(0);
  });

  it("bounds redirects, and refuses a redirect without Location or to another scheme", async () => {
    const loop = await rejectionOf(client.downloadFile(`${base()}/loop`));
    expect(loop).toMatchObject({ kind: "http", status: 302 });
    expect((loop as Error).message).toMatch(/More than 5 redirects/);
    expect(seen).toHaveLength(6);
    expect(await rejectionOf(client.downloadFile(`${base()}/to-file-scheme`))).toMatchObject({
      kind: "invalid_url",
    });
    expect(await rejectionOf(client.downloadFile(`${base()}/no-location`))).toMatchObject({
      kind: "http",
      status: 302,
    });
  });

  it("follows a redirect of a JSON call among Tone 3000's hosts, token and all", async () => {
    const user = await client.getUser();
    expect(user).toMatchObject({ id: "u1", username: "someone" });
    expect(seen.map((s) => [s.path, s.authorization])).toEqual([
      ["/api/v1/user", bearer],
      ["/api/v1/me", bearer],
    ]);
  });
});
