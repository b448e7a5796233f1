import { describe, expect, it } from "vitest";
import { fitTitle } from "../src/fit-title.ts";

describe("title card fitting", () => {
  it("keeps a short title on one line at full size", () => {
    expect(fitTitle("JCM800")).toEqual({ lines: ["JCM800"], fontSize: 120 });
  });

  it("shrinks a medium title on one line", () => {
    const fitted = fitTitle("Tiny WaveNet Drive – Tiny WaveNet");
    expect(fitted.lines).toHaveLength(1);
    expect(fitted.fontSize).toBeLessThan(120);
    expect(fitted.fontSize * 0.62 * fitted.lines[0]!.length).toBeLessThanOrEqual(1760);
  });

  it("splits a long title at the space nearest the middle, every line within the width", () => {
    const title = "Microtubes 900 Clean (NAM Core example) – Microtubes 900 LSTM 1x3";
    const fitted = fitTitle(title);
    expect(fitted.lines).toHaveLength(2);
    expect(fitted.lines.join(" ")).toBe(title);
    for (const line of fitted.lines) expect(fitted.fontSize * 0.62 * line.length).toBeLessThanOrEqual(1760);
  });

  it("ends an overlong line with an ellipsis instead of running off the card", () => {
    const fitted = fitTitle("x".repeat(300));
    expect(fitted.fontSize).toBe(48);
    expect(fitted.lines[0]!.endsWith("…")).toBe(true);
    expect(fitted.fontSize * 0.62 * fitted.lines[0]!.length).toBeLessThanOrEqual(1760);
  });
});
