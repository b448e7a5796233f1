import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createTone3000StandIn,
  StandInStateError,
  Tone3000Error,
  type Tone3000StandIn,
  type Tone3000Tokens,
} from "../src/index.ts";
import { login, oauthFor, rejectionOf } from "./helpers.ts";

function expectOAuthError(error: unknown, code: string) {
  expect(error).toBeInstanceOf(Tone3000Error);
  expect(error).toMatchObject({ kind: "oauth", code });
}

// The stand-in with a state file: the grants it issued survive a restart, as a real Tone 3000's
// do, so the tokens our users have stored keep working when `./shootout start` restarts.

const dir = mkdtempSync(path.join(os.tmpdir(), "t3k-stand-in-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running: Tone3000StandIn[] = [];
afterEach(async () => {
  for (const standIn of running.splice(0)) await standIn.close();
});

async function start(stateFile?: string): Promise<Tone3000StandIn> {
  const standIn = await createTone3000StandIn(stateFile ? { stateFile } : {});
  running.push(standIn);
  return standIn;
}

async function restart(standIn: Tone3000StandIn, stateFile?: string): Promise<Tone3000StandIn> {
  running.splice(running.indexOf(standIn), 1);
  await standIn.close();
  return start(stateFile);
}

const userStatus = async (standIn: Tone3000StandIn, accessToken: string) =>
  (await fetch(`${standIn.url}/api/v1/user`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

describe("stand-in state file", () => {
  it("a restart keeps issued access and refresh tokens working; the file holds no usable token", async () => {
    const file = path.join(dir, "keeps.json");
    const first = await start(file);
    const issued: Tone3000Tokens = await login(first);
    const rotated = await oauthFor(first).refreshAccessToken(issued.refreshToken);

    const text = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const secret of [
      issued.accessToken,
      issued.refreshToken,
      rotated.accessToken,
      rotated.refreshToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    // Written by rename: no temporary file is left beside it.
    expect(readdirSync(dir).filter((f) => f.startsWith("keeps.json"))).toEqual(["keeps.json"]);

    const second = await restart(first, file);
    expect(second.url).not.toBe(first.url);
    expect(await userStatus(second, rotated.accessToken)).toBe(200);
    const user = await (
      await fetch(`${second.url}/api/v1/user`, {
        headers: { authorization: `Bearer ${rotated.accessToken}` },
      })
    ).json();
    expect(user).toMatchObject({ id: "local-user", username: "local" });
    const again = await oauthFor(second).refreshAccessToken(rotated.refreshToken);
    expect(await userStatus(second, again.accessToken)).toBe(200);
  });

  it("reuse detection holds across restarts: a refresh token spent before one revokes the family after it", async () => {
    const file = path.join(dir, "reuse.json");
    const first = await start(file);
    const issued = await login(first);
    const rotated = await oauthFor(first).refreshAccessToken(issued.refreshToken);
    const other = await login(first); // another grant of the same user, untouched by the reuse

    const second = await restart(first, file);
    // `issued.refreshToken` was rotated away before the restart: presenting it is a replay.
    expectOAuthError(
      await rejectionOf(oauthFor(second).refreshAccessToken(issued.refreshToken)),
      "invalid_grant",
    );
    expect(await userStatus(second, rotated.accessToken)).toBe(401);
    expectOAuthError(
      await rejectionOf(oauthFor(second).refreshAccessToken(rotated.refreshToken)),
      "invalid_grant",
    );
    expect(await userStatus(second, other.accessToken)).toBe(200);

    // The revocation itself was saved.
    const third = await restart(second, file);
    expect(await userStatus(third, rotated.accessToken)).toBe(401);
    expectOAuthError(
      await rejectionOf(oauthFor(third).refreshAccessToken(rotated.refreshToken)),
      "invalid_grant",
    );
    expect(await userStatus(third, other.accessToken)).toBe(200);
  });

  it("expiry is kept: an access token that expired stays refused after a restart, its refresh token works", async () => {
    const file = path.join(dir, "expiry.json");
    const first = await start(file);
    const issued = await login(first);
    first.oauth.expireAccessToken(issued.accessToken);
    expect(first.oauth.snapshot().accessTokens).toEqual({});

    const second = await restart(first, file);
    expect(await userStatus(second, issued.accessToken)).toBe(401);
    const fresh = await oauthFor(second).refreshAccessToken(issued.refreshToken);
    expect(await userStatus(second, fresh.accessToken)).toBe(200);
  });

  it("without a state file a restart forgets every grant (the old behaviour)", async () => {
    const first = await start();
    const issued = await login(first);
    const second = await restart(first);
    expect(await userStatus(second, issued.accessToken)).toBe(401);
    expectOAuthError(
      await rejectionOf(oauthFor(second).refreshAccessToken(issued.refreshToken)),
      "invalid_grant",
    );
  });

  it("refuses to start on a damaged state file, naming it", async () => {
    const file = path.join(dir, "damaged.json");
    writeFileSync(file, '{"version":1,"families":{},"accessTokens":{');
    await expect(start(file)).rejects.toThrow(StandInStateError);
    writeFileSync(file, JSON.stringify({ version: 2, families: {}, accessTokens: {}, refreshTokens: {} }));
    await expect(start(file)).rejects.toThrow(/damaged\.json: .*version.*fix or delete it/s);
  });
});
