import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTone3000Client,
  createTone3000StandIn,
  generateCodeVerifier,
  generateState,
  type Tone3000StandIn,
} from "../src/index.ts";
import { oauthFor } from "./helpers.ts";

// Picking which catalogue user signs in: `login_hint`, or the chooser page (issue 13 point 8).

async function signInAs(standIn: Tone3000StandIn, pick: (authorize: URL) => Promise<Response>) {
  const oauth = oauthFor(standIn);
  const state = generateState();
  const verifier = generateCodeVerifier();
  const answer = await pick(oauth.createAuthorizationURL(state, verifier));
  const back = new URL(answer.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe(state);
  const error = back.searchParams.get("error");
  if (error) return { error };
  const tokens = await oauth.validateAuthorizationCode(back.searchParams.get("code")!, verifier);
  const client = createTone3000Client({
    baseUrl: standIn.url,
    tokens: { getAccessToken: async () => tokens.accessToken, refresh: async () => tokens.accessToken },
  });
  return { user: await client.getUser(), client };
}

const manual = (url: URL | string) => fetch(url, { redirect: "manual" });

describe("choosing who signs in to the stand-in", () => {
  let auto: Tone3000StandIn;
  let choosing: Tone3000StandIn;
  beforeAll(async () => {
    auto = await createTone3000StandIn({});
    choosing = await createTone3000StandIn({ chooser: true });
  });
  afterAll(async () => {
    await auto?.close();
    await choosing?.close();
  });

  it("login_hint picks the user, by username or id; without one the default user is approved", async () => {
    const withHint = (hint: string) => (url: URL) => {
      url.searchParams.set("login_hint", hint);
      return manual(url);
    };
    expect((await signInAs(auto, withHint("guest"))).user).toMatchObject({
      id: "guest-user",
      username: "guest",
    });
    expect((await signInAs(auto, withHint("SYNTH-LAB"))).user).toMatchObject({ id: "synth-lab" });
    expect((await signInAs(auto, manual)).user).toMatchObject({ id: "local-user" });
    expect(await signInAs(auto, withHint("nobody"))).toEqual({ error: "access_denied" });
  });

  it("two players see their own private tones and favourites, not each other's", async () => {
    const hinted = (hint: string) => (url: URL) => {
      url.searchParams.set("login_hint", hint);
      return manual(url);
    };
    const local = (await signInAs(auto, hinted("local"))).client!;
    const guest = (await signInAs(auto, hinted("guest"))).client!;
    expect((await guest.createdTones()).data.map((t) => t.id)).toEqual([111]);
    expect((await local.createdTones()).data.map((t) => t.id).sort()).toEqual([107, 108]);
    expect((await guest.favoritedTones()).data.map((t) => t.id)).toEqual([109, 110]);
    expect(await local.getTone(111).catch((e: { kind: string }) => e.kind)).toBe("forbidden");
    expect(await guest.getTone(107).catch((e: { kind: string }) => e.kind)).toBe("forbidden");
  });

  it("with the chooser on, authorize shows every catalogue user; following one signs that user in", async () => {
    const result = await signInAs(choosing, async (url) => {
      const page = await manual(url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      for (const name of ["local", "guest", "synth-lab", "nam_core_examples", "t3k-community"]) {
        expect(html).toContain(`>${name}</a>`);
      }
      const href = /<a href="([^"]+)" data-user-id="guest-user">/.exec(html)?.[1];
      expect(href).toBeTruthy();
      return manual(new URL(href!.replaceAll("&#38;", "&"), url));
    });
    expect(result.user).toMatchObject({ id: "guest-user" });
  });

  it("the chooser's cancel link denies; a hint it does not know shows the chooser again", async () => {
    const denied = await signInAs(choosing, async (url) => {
      const html = await (await manual(url)).text();
      const cancel = /<a href="([^"]+)">Cancel/.exec(html)?.[1];
      return manual(new URL(cancel!.replaceAll("&#38;", "&"), url));
    });
    expect(denied).toEqual({ error: "access_denied" });
    const url = oauthFor(choosing).createAuthorizationURL(generateState(), generateCodeVerifier());
    url.searchParams.set("login_hint", "<nobody>");
    const again = await manual(url);
    expect(again.status).toBe(200);
    const html = await again.text();
    expect(html).toContain("No user &#34;&#60;nobody&#62;&#34; here.");
    expect(html).not.toContain("<nobody>");
  });
});
