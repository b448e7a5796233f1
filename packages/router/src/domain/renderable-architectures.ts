import { toneFieldPath } from "../schemas/shootouts.ts";
import { InvalidReferenceError } from "./errors.ts";

// What this build's renderer (packages/audio) can play, in Tone 3000's terms. The ONE place that
// decides which Tone 3000 models are pickable: tones.models marks the rest "not supported by this
// build", shootouts.create/update refuse them, the web shows them greyed out.
//
// The engine renders every architecture NAM Core registers: A1 and A2 (SlimmableContainer, each
// of its sizes) exports; "custom" models are whatever their file says (LSTMs, small or
// configurable WaveNets, ConvNets), which the engine checks when it loads them.

/** Tone 3000 `architecture_version` values whose files this build renders. */
export const RENDERABLE_ARCHITECTURES: ReadonlySet<string> = new Set(["1", "2", "custom"]);

/** A Tone 3000 architecture version, as in `architecture_version` ("1", "2", "custom"), or "A2". */
const NUMBERED = /^a?(\d+)$/i;

/**
 * Whether a tone selection's declared architecture can be rendered here. `null` (an IR, or not
 * declared) and free-form engine names ("WaveNet", "LSTM") pass: the file decides when it loads.
 * A numbered Tone 3000 architecture outside the set, or "custom" left out of it, does not.
 */
export function architectureSupport(
  architecture: string | null | undefined,
): { renderable: true } | { renderable: false; reason: string } {
  if (architecture === null || architecture === undefined) return { renderable: true };
  const value = architecture.trim().toLowerCase();
  const numbered = NUMBERED.exec(value);
  const version = numbered ? numbered[1]! : value;
  if (!numbered && version !== "custom") return { renderable: true };
  if (RENDERABLE_ARCHITECTURES.has(version)) return { renderable: true };
  return {
    renderable: false,
    reason: `${architectureLabel(version)} models are not supported by this build`,
  };
}

/** How Tone 3000's architecture versions are shown: "1" → "A1", "2" → "A2", "custom" → "custom". */
export function architectureLabel(architecture: string | null | undefined): string | null {
  if (architecture === null || architecture === undefined) return null;
  const numbered = NUMBERED.exec(architecture.trim());
  return numbered ? `A${numbered[1]}` : architecture;
}

/**
 * shootouts.create/update: a tone whose declared architecture this build cannot render is refused
 * now, naming the field (`tones.2.architecture`), instead of failing the render job later.
 */
export function assertRenderableTones(
  tones: readonly { amp: { architecture: string | null } | null; flat: boolean }[] | undefined,
): void {
  tones?.forEach((tone, i) => {
    if (!tone.amp) return;
    const support = architectureSupport(tone.amp.architecture);
    if (!support.renderable) {
      throw new InvalidReferenceError(["tones", i, ...toneFieldPath(tone, "architecture")], support.reason);
    }
  });
}
