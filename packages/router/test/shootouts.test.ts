import { createTestDatabase, type TestDatabase } from "@shootout/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shootoutCreateInput } from "../src/schemas/shootouts.ts";
import { createTestCaller, createTestUser } from "../src/testing/index.ts";
import { expectTRPCError, newestFirst, seedFile, shootoutInput, tone } from "./helpers.ts";

describe("shootouts", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  async function player() {
    const { user, token } = await createTestUser(t.db);
    const di = await seedFile(t.db, user.id, "di");
    const ir = await seedFile(t.db, user.id, "ir");
    return { user, token, di, ir, caller: createTestCaller(t.db, token) };
  }

  it("creates with every field and its ordered tones; defaults applied", async () => {
    const p = await player();
    const created = await p.caller.shootouts.create({
      name: "  Plexi vs JCM  ",
      description: "same riff",
      diFileId: p.di.id,
      guitar: "Strat",
      pickup: "bridge",
      sampleRate: 44100,
      outputFormats: ["wav", "mp4"],
      normalizeLoudness: false,
      targetLufs: -14,
      isPublic: true,
      blind: true,
      tones: [
        tone(1, {
          irFileId: p.ir.id,
          modelSize: "standard",
          architecture: "WaveNet",
          highpass: false,
          effects: ["eq:highpass_80hz", "gain:-3.5", "reverb:spring"],
        }),
        tone(2),
        tone(3, { effects: ["delay:quarter", "gain:+24"] }),
      ],
    });
    expect(created).toMatchObject({
      ownerId: p.user.id,
      isOwner: true,
      name: "Plexi vs JCM",
      description: "same riff",
      diFileId: p.di.id,
      guitar: "Strat",
      pickup: "bridge",
      sampleRate: 44100,
      outputFormats: ["wav", "mp4"],
      normalizeLoudness: false,
      targetLufs: -14,
      isPublic: true,
      blind: true,
      revealedAt: null,
      processedAt: null,
    });
    expect(created.tones.map((x) => [x.position, x.displayName])).toEqual([
      [0, "Tone 1"],
      [1, "Tone 2"],
      [2, "Tone 3"],
    ]);
    expect(created.tones[0]).toMatchObject({
      tone3000ToneId: "tone-1",
      tone3000ModelId: "model-1",
      irFileId: p.ir.id,
      modelSize: "standard",
      architecture: "WaveNet",
      highpass: false,
      effects: ["eq:highpass_80hz", "gain:-3.5", "reverb:spring"],
      startMs: null,
      endMs: null,
      metrics: null,
    });
    expect(created.tones[1]).toMatchObject({ irFileId: null, highpass: true, effects: [], modelSize: null });

    const minimal = await p.caller.shootouts.create(shootoutInput(p.di.id));
    expect(minimal).toMatchObject({
      description: "",
      guitar: null,
      pickup: null,
      sampleRate: 48000,
      outputFormats: ["flac"],
      normalizeLoudness: true,
      targetLufs: -18,
      isPublic: false,
      blind: false,
    });
    // What get returns is what create returned.
    expect(await p.caller.shootouts.get({ shootoutId: created.id })).toEqual(created);
  });

  it("enforces 2..12 tones", async () => {
    const p = await player();
    const tones = (n: number) => Array.from({ length: n }, (_, i) => tone(i));
    for (const n of [0, 1, 13]) {
      const error = await expectTRPCError(
        p.caller.shootouts.create(shootoutInput(p.di.id, { tones: tones(n) })),
        "BAD_REQUEST",
      );
      expect(error.message).toMatch(n > 12 ? /at most 12/ : /at least 2/);
    }
    const twelve = await p.caller.shootouts.create(shootoutInput(p.di.id, { tones: tones(12) }));
    expect(twelve.tones.map((x) => x.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: twelve.id, tones: tones(1) }),
      "BAD_REQUEST",
    );
    await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: twelve.id, tones: tones(13) }),
      "BAD_REQUEST",
    );
  });

  it("accepts known effects and gain in [-24, 24] only", () => {
    const parse = (effects: string[]) =>
      shootoutCreateInput.safeParse(
        shootoutInput(crypto.randomUUID(), { tones: [tone(1, { effects }), tone(2)] }),
      );
    for (const ok of [
      ["eq:lowpass_12k"],
      ["eq:highshelf_presence", "delay:slapback"],
      ["gain:0"],
      ["gain:-24"],
      ["gain:24"],
      ["gain:1.25"],
    ]) {
      expect(parse(ok).success, ok.join()).toBe(true);
    }
    for (const bad of [
      ["fuzz:big"],
      ["reverb:plate"],
      ["gain:25"],
      ["gain:-24.5"],
      ["gain:"],
      ["gain:abc"],
      ["gain:1e1"],
      ["EQ:lowpass_12k"],
    ]) {
      const result = parse(bad);
      expect(result.success, bad.join()).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(["tones", 0, "effects", 0]);
      expect(result.error!.issues[0]!.message).toMatch(
        bad[0]!.startsWith("gain:2") || bad[0] === "gain:-24.5" ? /between -24 and 24 dB/ : /unknown effect/,
      );
    }
  });

  it("refuses a DI longer than the deployment takes (MAX_DI_SECONDS), naming the field; unknown lengths pass", async () => {
    const p = await player();
    const long = await seedFile(t.db, p.user.id, "di", "jam.wav");
    await t.db.updateTable("files").set({ durationMs: 400_500 }).where("id", "=", long.id).execute();
    const refused = await expectTRPCError(p.caller.shootouts.create(shootoutInput(long.id)), "BAD_REQUEST");
    expect(refused.message).toBe(
      "diFileId: the DI is 6:40 long; shootouts here take DIs up to 2:00 (cut it shorter)",
    );
    expect(refused.cause).toMatchObject({ issues: [{ path: ["diFileId"] }] });
    // Swapping it into an existing shootout is refused the same way.
    const fine = await p.caller.shootouts.create(shootoutInput(p.di.id));
    await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: fine.id, diFileId: long.id }),
      "BAD_REQUEST",
    );
    // A deployment that allows 10 minutes takes it.
    const roomy = createTestCaller(t.db, p.token, { capabilities: { maxDiSeconds: 600 } });
    expect((await roomy.shootouts.create(shootoutInput(long.id))).diFileId).toBe(long.id);
    // A DI whose length the upload could not read is left to the render to measure.
    await t.db.updateTable("files").set({ durationMs: null }).where("id", "=", long.id).execute();
    expect((await p.caller.shootouts.create(shootoutInput(long.id))).diFileId).toBe(long.id);
  });

  it("refuses a DI too short to render (under 0.5 s by its headers), naming the field", async () => {
    const p = await player();
    const blip = await seedFile(t.db, p.user.id, "di", "blip.wav");
    await t.db.updateTable("files").set({ durationMs: 10 }).where("id", "=", blip.id).execute();
    const refused = await expectTRPCError(p.caller.shootouts.create(shootoutInput(blip.id)), "BAD_REQUEST");
    expect(refused.message).toBe(
      "diFileId: the DI is 0.01 s long; a shootout needs at least 0.5 s of playing",
    );
    expect(refused.cause).toMatchObject({ issues: [{ path: ["diFileId"] }] });
    // Half a second is enough.
    await t.db.updateTable("files").set({ durationMs: 500 }).where("id", "=", blip.id).execute();
    expect((await p.caller.shootouts.create(shootoutInput(blip.id))).diFileId).toBe(blip.id);
  });

  it("rejects an unknown effect through the router with the field named", async () => {
    const p = await player();
    const error = await expectTRPCError(
      p.caller.shootouts.create(
        shootoutInput(p.di.id, { tones: [tone(1), tone(2, { effects: ["wah:auto"] })] }),
      ),
      "BAD_REQUEST",
    );
    expect(error.message).toContain("unknown effect");
  });

  it("validates the other fields", async () => {
    const p = await player();
    const bad = [
      { sampleRate: 22050 },
      { outputFormats: [] },
      { outputFormats: ["ogg"] },
      { outputFormats: ["wav", "wav"] },
      { targetLufs: 3 },
      { name: "x".repeat(201) },
      { description: "x".repeat(5001) },
    ];
    for (const extra of bad) {
      await expectTRPCError(
        p.caller.shootouts.create(shootoutInput(p.di.id, extra as Record<string, unknown>)),
        "BAD_REQUEST",
      );
    }
    expect((await p.caller.shootouts.list({})).items).toEqual([]);
  });

  it("rejects a DI or IR that is not the caller's own file of that kind, the same way as a missing one", async () => {
    const p = await player();
    const stranger = await player();
    const attempts: [Parameters<typeof p.caller.shootouts.create>[0], string][] = [
      [shootoutInput(stranger.di.id), "diFileId: no such DI file"],
      [shootoutInput(crypto.randomUUID()), "diFileId: no such DI file"],
      [shootoutInput(p.ir.id), "diFileId: no such DI file"],
      [
        shootoutInput(p.di.id, { tones: [tone(1), tone(2, { irFileId: stranger.ir.id })] }),
        "tones.1.irFileId: no such IR file",
      ],
      [
        shootoutInput(p.di.id, { tones: [tone(1, { irFileId: p.di.id }), tone(2)] }),
        "tones.0.irFileId: no such IR file",
      ],
      [
        shootoutInput(p.di.id, { tones: [tone(1, { irFileId: crypto.randomUUID() }), tone(2)] }),
        "tones.0.irFileId: no such IR file",
      ],
    ];
    for (const [input, message] of attempts) {
      const error = await expectTRPCError(p.caller.shootouts.create(input), "BAD_REQUEST");
      expect(error.message).toBe(message);
    }
    expect((await p.caller.shootouts.list({})).items).toEqual([]);
  });

  it("ownership: another user's private shootout is NOT_FOUND everywhere and never listed", async () => {
    const owner = await player();
    const stranger = await player();
    const s = await owner.caller.shootouts.create(shootoutInput(owner.di.id));
    const c = stranger.caller;
    await expectTRPCError(c.shootouts.get({ shootoutId: s.id }), "NOT_FOUND");
    await expectTRPCError(createTestCaller(t.db, null).shootouts.get({ shootoutId: s.id }), "NOT_FOUND");
    await expectTRPCError(c.shootouts.update({ shootoutId: s.id, name: "mine now" }), "NOT_FOUND");
    await expectTRPCError(c.shootouts.delete({ shootoutId: s.id }), "NOT_FOUND");
    await expectTRPCError(c.shootouts.reveal({ shootoutId: s.id }), "NOT_FOUND");
    expect((await c.shootouts.list({})).items).toEqual([]);
    expect((await c.shootouts.listPublic({})).items.map((x) => x.id)).not.toContain(s.id);
    // Untouched.
    expect((await owner.caller.shootouts.get({ shootoutId: s.id })).name).toBe("Plexi vs JCM");
  });

  it("public shootouts: readable by anyone, signed out too, without the owner's file ids; writable only by the owner", async () => {
    const owner = await player();
    const stranger = await player();
    const s = await owner.caller.shootouts.create(
      shootoutInput(owner.di.id, { isPublic: true, tones: [tone(1, { irFileId: owner.ir.id }), tone(2)] }),
    );
    for (const caller of [stranger.caller, createTestCaller(t.db, null)]) {
      const seen = await caller.shootouts.get({ shootoutId: s.id });
      expect(seen).toMatchObject({ id: s.id, isOwner: false, diFileId: null });
      expect(seen.tones.map((x) => x.irFileId)).toEqual([null, null]);
      // Whether a tone has a cabinet IR is no secret (the video's title cards say so).
      expect(seen.tones.map((x) => x.hasIr)).toEqual([true, false]);
      // Nor is its name: the cards show it as well.
      expect(seen.tones.map((x) => x.irName)).toEqual([owner.ir.name, null]);
      expect(JSON.stringify(seen)).not.toContain(owner.di.id);
      expect(JSON.stringify(seen)).not.toContain(owner.ir.id);
      const listed = await caller.shootouts.listPublic({ limit: 100 });
      expect(listed.items.find((x) => x.id === s.id)?.diFileId).toBeNull();
    }
    await expectTRPCError(stranger.caller.shootouts.update({ shootoutId: s.id, name: "x" }), "NOT_FOUND");
    await expectTRPCError(stranger.caller.shootouts.delete({ shootoutId: s.id }), "NOT_FOUND");
    await expectTRPCError(stranger.caller.shootouts.reveal({ shootoutId: s.id }), "NOT_FOUND");
    // Someone else's public shootout is not "mine".
    expect((await stranger.caller.shootouts.list({})).items).toEqual([]);
    await expectTRPCError(createTestCaller(t.db, null).shootouts.list({}), "UNAUTHORIZED");
  });

  it("listPublic shows public ones only, newest first", async () => {
    const a = await player();
    const pub1 = await a.caller.shootouts.create(shootoutInput(a.di.id, { isPublic: true }));
    const priv = await a.caller.shootouts.create(shootoutInput(a.di.id));
    const pub2 = await a.caller.shootouts.create(shootoutInput(a.di.id, { isPublic: true }));
    const ids = (await createTestCaller(t.db, null).shootouts.listPublic({ limit: 100 })).items.map(
      (x) => x.id,
    );
    expect(ids).not.toContain(priv.id);
    expect(ids.filter((id) => id === pub1.id || id === pub2.id)).toEqual(
      await newestFirst(t.db, "shootouts", [pub1.id, pub2.id]),
    );
  });

  it("update changes fields and replaces the tone list atomically", async () => {
    const p = await player();
    const s = await p.caller.shootouts.create(shootoutInput(p.di.id, { tones: [tone(1), tone(2), tone(3)] }));
    const di2 = await seedFile(t.db, p.user.id, "di");
    const updated = await p.caller.shootouts.update({
      shootoutId: s.id,
      name: "Renamed",
      diFileId: di2.id,
      guitar: null,
      isPublic: true,
      tones: [tone(9, { irFileId: p.ir.id }), tone(8, { effects: ["reverb:hall"] })],
    });
    expect(updated).toMatchObject({ name: "Renamed", diFileId: di2.id, isPublic: true, guitar: null });
    expect(updated.tones.map((x) => [x.position, x.tone3000ToneId, x.irFileId])).toEqual([
      [0, "tone-9", p.ir.id],
      [1, "tone-8", null],
    ]);
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(s.updatedAt).getTime());
    const rows = await t.db
      .selectFrom("toneSelections")
      .select("id")
      .where("shootoutId", "=", s.id)
      .execute();
    expect(rows).toHaveLength(2);

    // Only name: the tones stay.
    const renamed = await p.caller.shootouts.update({ shootoutId: s.id, name: "Again" });
    expect(renamed.tones.map((x) => x.tone3000ToneId)).toEqual(["tone-9", "tone-8"]);
    // ...and so does every field not sent.
    expect(renamed).toMatchObject({ diFileId: di2.id, isPublic: true, guitar: null, sampleRate: 48000 });
    const withPickup = await p.caller.shootouts.update({ shootoutId: s.id, pickup: "neck" });
    expect((await p.caller.shootouts.update({ shootoutId: s.id, name: "Third" })).pickup).toBe("neck");
    expect(withPickup.name).toBe("Again");

    // A bad IR in the new list: nothing changes, not even the name sent alongside.
    const stranger = await player();
    const error = await expectTRPCError(
      p.caller.shootouts.update({
        shootoutId: s.id,
        name: "Should not stick",
        tones: [tone(1), tone(2), tone(3, { irFileId: stranger.ir.id })],
      }),
      "BAD_REQUEST",
    );
    expect(error.message).toBe("tones.2.irFileId: no such IR file");
    const after = await p.caller.shootouts.get({ shootoutId: s.id });
    expect(after.name).toBe("Third");
    expect(after.tones.map((x) => x.tone3000ToneId)).toEqual(["tone-9", "tone-8"]);
    await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: s.id, diFileId: stranger.di.id }),
      "BAD_REQUEST",
    );
  });

  it("refuses a model this build cannot render (a future A3) at create and update, naming the field", async () => {
    const p = await player();
    const base = {
      name: "A1 vs A3",
      diFileId: p.di.id,
      tones: [
        tone(1, { architecture: "1" }),
        tone(2, { architecture: "custom" }),
        tone(3, { architecture: "3" }),
      ],
    };
    const error = await expectTRPCError(p.caller.shootouts.create(base), "BAD_REQUEST");
    expect(error.message).toBe("tones.2.architecture: A3 models are not supported by this build");
    // Shaped like a validation issue on that field, so a form can put it beside the tone.
    expect((error.cause as { issues?: { path: unknown }[] }).issues?.[0]?.path).toEqual([
      "tones",
      2,
      "architecture",
    ]);
    expect((await p.caller.shootouts.list({})).items).toEqual([]);
    // Renderable ones (and engine names, and no declared architecture) save.
    const ok = await p.caller.shootouts.create({
      ...base,
      tones: [
        tone(1, { architecture: "1" }),
        tone(2, { architecture: "LSTM" }),
        tone(3, { architecture: "2" }),
      ],
    });
    const refused = await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: ok.id, tones: [tone(1), tone(2, { architecture: "A3" })] }),
      "BAD_REQUEST",
    );
    expect(refused.message).toBe("tones.1.architecture: A3 models are not supported by this build");
  });

  it("stores each amp's chosen size (slim value; smallest = 0, full = null) and refuses one outside 0..1", async () => {
    const p = await player();
    const created = await p.caller.shootouts.create({
      name: "A2 sizes",
      diFileId: p.di.id,
      tones: [
        tone(1, { architecture: "2", ampSize: "full" }),
        tone(2, { architecture: "2", ampSize: "smallest" }),
        tone(3, { architecture: "2", ampSize: 0.25 }),
        tone(4, { architecture: "1" }),
      ],
    });
    expect(created.tones.map((x) => x.ampSlim)).toEqual([null, 0, 0.25, null]);
    expect((await p.caller.shootouts.get({ shootoutId: created.id })).tones.map((x) => x.ampSlim)).toEqual([
      null,
      0,
      0.25,
      null,
    ]);
    const error = await expectTRPCError(
      p.caller.shootouts.update({ shootoutId: created.id, tones: [tone(1), tone(2, { ampSize: 1.5 })] }),
      "BAD_REQUEST",
    );
    expect((error.cause as { issues?: { path: unknown }[] }).issues?.[0]?.path).toEqual([
      "tones",
      1,
      "ampSize",
    ]);
  });

  it("delete removes the shootout with its tones", async () => {
    const p = await player();
    const s = await p.caller.shootouts.create(shootoutInput(p.di.id));
    expect(await p.caller.shootouts.delete({ shootoutId: s.id })).toEqual({ ok: true });
    await expectTRPCError(p.caller.shootouts.get({ shootoutId: s.id }), "NOT_FOUND");
    await expectTRPCError(p.caller.shootouts.delete({ shootoutId: s.id }), "NOT_FOUND");
    const rows = await t.db
      .selectFrom("toneSelections")
      .select("id")
      .where("shootoutId", "=", s.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it("blind: the key only ever leaves through reveal, to the owner; timings hidden until revealed", async () => {
    const p = await player();
    const s = await p.caller.shootouts.create(shootoutInput(p.di.id, { blind: true, isPublic: true }));
    const before = await p.caller.shootouts.reveal({ shootoutId: s.id });
    expect(before).toEqual({ shootoutId: s.id, blind: true, blindKey: null, revealedAt: null });

    // The worker renders: a shuffled order, segment timings and metrics.
    const key = { order: [1, 0], secret: "blind-key-marker" };
    await t.db
      .updateTable("shootouts")
      .set({ blindKey: JSON.stringify(key) })
      .where("id", "=", s.id)
      .execute();
    await t.db
      .updateTable("toneSelections")
      .set({
        startMs: sql`position * 1000 + 500`,
        endMs: sql`position * 1000 + 1400`,
        metrics: JSON.stringify({ rms: -20, integratedLufs: -18.1 }),
      })
      .where("shootoutId", "=", s.id)
      .execute();

    const stranger = await player();
    const views = [
      await p.caller.shootouts.get({ shootoutId: s.id }),
      await stranger.caller.shootouts.get({ shootoutId: s.id }),
      ...(await p.caller.shootouts.list({})).items,
      ...(await createTestCaller(t.db, null).shootouts.listPublic({ limit: 100 })).items,
    ];
    for (const view of views) {
      expect(JSON.stringify(view)).not.toContain("blind-key-marker");
      if (view.id === s.id)
        expect(view.tones.every((x) => x.startMs === null && x.metrics === null)).toBe(true);
    }
    await expectTRPCError(stranger.caller.shootouts.reveal({ shootoutId: s.id }), "NOT_FOUND");

    const revealed = await p.caller.shootouts.reveal({ shootoutId: s.id });
    expect(revealed.blindKey).toEqual(key);
    expect(revealed.revealedAt).not.toBeNull();
    // Revealing again keeps the first time.
    expect((await p.caller.shootouts.reveal({ shootoutId: s.id })).revealedAt).toBe(revealed.revealedAt);

    const after = await stranger.caller.shootouts.get({ shootoutId: s.id });
    expect(after.revealedAt).toBe(revealed.revealedAt);
    expect(after.tones.map((x) => [x.startMs, x.endMs])).toEqual([
      [500, 1400],
      [1500, 2400],
    ]);
    expect(after.tones[0]!.metrics).toEqual({ rms: -20, integratedLufs: -18.1 });
    expect(JSON.stringify(after)).not.toContain("blind-key-marker");
  });

  it("a non-blind rendered shootout shows timings and metrics at once", async () => {
    const p = await player();
    const s = await p.caller.shootouts.create(shootoutInput(p.di.id));
    await t.db
      .updateTable("toneSelections")
      .set({ startMs: 0, endMs: 900, metrics: JSON.stringify({ peak: -1 }) })
      .where("shootoutId", "=", s.id)
      .where("position", "=", 0)
      .execute();
    const seen = await p.caller.shootouts.get({ shootoutId: s.id });
    expect(seen.tones[0]).toMatchObject({ startMs: 0, endMs: 900, metrics: { peak: -1 } });
    expect(seen.tones[1]).toMatchObject({ startMs: null, endMs: null, metrics: null });
  });

  it("pages 25 shootouts by 10: each once, newest first", async () => {
    const p = await player();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push((await p.caller.shootouts.create(shootoutInput(p.di.id, { name: `s${i}` }))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof p.caller.shootouts.list>> = await p.caller.shootouts.list({
        limit: 10,
        cursor,
      });
      expect(page.items.every((x) => x.tones.length === 2)).toBe(true);
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(await newestFirst(t.db, "shootouts", ids));
    expect(new Set(seen).size).toBe(25);
  });

  it("pages rows created in the same instant (one transaction) by id, none lost or repeated", async () => {
    const p = await player();
    const inserted = await t.db.transaction().execute((trx) =>
      trx
        .insertInto("shootouts")
        .values(
          Array.from({ length: 25 }, (_, i) => ({
            ownerId: p.user.id,
            name: `same-${i}`,
            diFileId: p.di.id,
            isPublic: true,
          })),
        )
        .returning(["id", "createdAt"])
        .execute(),
    );
    expect(new Set(inserted.map((r) => r.createdAt.getTime())).size).toBe(1);
    const expected = inserted
      .map((r) => r.id)
      .sort()
      .reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof p.caller.shootouts.list>> = await p.caller.shootouts.list({
        limit: 10,
        cursor,
      });
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });
});
