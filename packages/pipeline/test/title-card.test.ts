import { describe, expect, it } from "vitest";
import { titleCard } from "../src/title-card.ts";

const shootout = { name: "Cabs", guitar: "Strat", pickup: null, blind: false };

describe("a title card", () => {
  it("says amp + cab and who made them", () => {
    const card = titleCard(
      shootout,
      {
        displayName: "Tiny + Mesa",
        ampName: "A2, standard, smallest (WaveNet 3 ch)",
        irName: "Mesa cab IR",
        credit: "Amp by nam_core_examples (cc-by)  ·  Cab by t3k-community (t3k)",
        highpass: true,
        effects: [],
      },
      "Tiny + Mesa",
      0,
      3,
    );
    expect(card.lines).toEqual([
      "Guitar: Strat",
      "Chain: High-pass 80 Hz  →  Amp: A2, standard, smallest (WaveNet 3 ch)  →  Cab: Mesa cab IR",
      "Amp by nam_core_examples (cc-by)  ·  Cab by t3k-community (t3k)",
      "Effects: none",
    ]);
  });

  it("names a cabinet-only and an amp-only tone as such; a blind card tells nothing", () => {
    const base = { displayName: "X", credit: null, highpass: false, effects: [] };
    expect(titleCard(shootout, { ...base, ampName: null, irName: "Mesa" }, "X", 0, 2).lines[1]).toBe(
      "Chain: no amp  →  Cab: Mesa",
    );
    expect(titleCard(shootout, { ...base, ampName: "WaveNet", irName: null }, "X", 1, 2).lines[1]).toBe(
      "Chain: Amp: WaveNet  →  no cab",
    );
    const blind = titleCard(
      { ...shootout, blind: true },
      { ...base, ampName: "WaveNet", irName: "Mesa", credit: "Amp by someone" },
      "Tone A",
      0,
      2,
    );
    expect(blind.lines.join("\n")).not.toMatch(/WaveNet|Mesa|someone/);
  });
});
