import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { describe, EXAMPLES, runCli } from "./helpers/cli.ts";

// Config files are checked before anything else: no database is opened (the data directory
// below must never appear) and no server is called.
let dir: string;
let dataDir: string;
const env = () => ({ PGLITE_DATA_DIR: dataDir, STORAGE_DIR: path.join(dir, "storage") });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shootout-cli-config-"));
  dataDir = path.join(dir, "pglite");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return file;
}

const tone = (i: number, extra: Record<string, unknown> = {}) => ({
  tone3000ToneId: `${100 + i}`,
  tone3000ModelId: `${1000 + i}`,
  displayName: `Tone ${i}`,
  ...extra,
});

group("shootout run with a bad config", { timeout: 180_000 }, () => {
  it("lists every problem with its path and exits 2", async () => {
    const file = writeConfig("bad.json", {
      name: "Bad",
      di: path.join(EXAMPLES, "di.wav"),
      sampleRate: 22050,
      outputFormats: ["wav", "ogg"],
      tones: [
        tone(0, { displayName: "" }),
        tone(1, { irFileId: "8f0e6a6c-1b1a-4c43-9c55-2f1c8e0b9a11" }),
        tone(2, { effects: ["eq:highpass_80hz", "reverb:cathedral", "gain:40"] }),
      ],
      colour: "red",
    });
    const result = await runCli(["run", file, "--user", "anyone"], env());
    expect(result.code, describe(result)).toBe(2);
    const lines = result.stderr.split("\n").map((l) => l.trim());
    expect(lines[0]).toMatch(/bad\.json: \d+ problems/);
    expect(lines).toContain(
      'tones[2].effects[1]: unknown effect "reverb:cathedral"; use one of eq:highpass_80hz, eq:lowpass_12k, eq:highshelf_presence, reverb:room, reverb:hall, reverb:spring, delay:slapback, delay:quarter or gain:<dB>',
    );
    expect(lines).toContain("tones[2].effects[2]: gain must be between -24 and 24 dB");
    expect(lines.some((l) => l.startsWith("tones[0].displayName: "))).toBe(true);
    expect(lines.some((l) => l.startsWith("sampleRate: "))).toBe(true);
    expect(lines.some((l) => l.startsWith("outputFormats[1]: "))).toBe(true);
    expect(lines).toContain(
      'tones[1].irFileId: unknown field (use "ir": the IR file\'s path, relative to the config file)',
    );
    expect(lines).toContain("colour: unknown field");
    expect(existsSync(dataDir)).toBe(false);
  });

  it("reports a missing DI file (and a missing IR) with the path it looked at", async () => {
    const file = writeConfig("missing.json", {
      name: "Missing files",
      di: "takes/nope.wav",
      tones: [tone(0, { ir: "cabs/gone.wav" }), tone(1)],
    });
    const result = await runCli(["run", file, "--user", "anyone"], env());
    expect(result.code, describe(result)).toBe(2);
    expect(result.stderr).toContain(`di: file not found: ${path.join(dir, "takes", "nope.wav")}`);
    expect(result.stderr).toContain(`tones[0].ir: file not found: ${path.join(dir, "cabs", "gone.wav")}`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("reads amp + cabinet tones: a missing cabinet file, a tone with neither, both cabinet forms at once", async () => {
    const file = writeConfig("cabinets.json", {
      name: "Cabinets",
      di: path.join(EXAMPLES, "di.wav"),
      tones: [
        {
          displayName: "Amp + file cab",
          amp: { tone3000ToneId: "104", tone3000ModelId: "1005" },
          cabinet: { source: "file", path: "cabs/gone.wav" },
        },
        { displayName: "Nothing" },
        {
          displayName: "Two cabs",
          amp: { tone3000ToneId: "104", tone3000ModelId: "1005" },
          ir: path.join(EXAMPLES, "cab-1x12-open.wav"),
          cabinet: { source: "tone3000", tone3000ToneId: "110", tone3000ModelId: "1017" },
        },
        {
          displayName: "Mesa alone",
          cabinet: { source: "tone3000", tone3000ToneId: "110", tone3000ModelId: "1017" },
        },
      ],
    });
    const result = await runCli(["run", file, "--user", "anyone"], env());
    expect(result.code, describe(result)).toBe(2);
    const lines = result.stderr.split("\n").map((l) => l.trim());
    expect(lines).toContain("tones[1].amp: a tone needs an amp, a cabinet, or both");
    expect(lines).toContain('tones[2].cabinet: give the cabinet as "cabinet" or as "ir", not both');
    expect(result.stderr).not.toMatch(/tones\[3\]/);
    expect(existsSync(dataDir)).toBe(false);
    // The file is checked even though other tones are wrong.
    expect(result.stderr).toContain(
      `tones[0].cabinet.path: file not found: ${path.join(dir, "cabs", "gone.wav")}`,
    );
  });

  it("says so when the file is not JSON, or too few tones are given", async () => {
    const notJson = await runCli(["run", writeConfig("broken.json", "{ name: "), "--user", "x"], env());
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/broken\.json is not valid JSON/);

    const oneTone = writeConfig("one.json", {
      name: "One",
      di: path.join(EXAMPLES, "di.wav"),
      tones: [tone(0)],
    });
    const result = await runCli(["run", oneTone, "--user", "x"], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("tones: a shootout needs at least 2 tones");
  });

  it("missing arguments and unknown commands are usage errors (exit 2)", async () => {
    const none = await runCli(["run"], env());
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/which config file/);
    const unknown = await runCli(["render"], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "render"/);
  });

  it("--help of every command exits 0 and documents usage and exit codes", async () => {
    const help = await runCli(["run", "--help"], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 done, 1 failed/);

    for (const command of ["jobs", "users", "sessions"]) {
      const h = await runCli([command, "--help"], env());
      expect(h.code, command).toBe(0);
      expect(h.stdout, command).toMatch(/^Usage: shootout /);
    }
  });
});
