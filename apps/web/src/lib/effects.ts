import type { Effect } from "@shootout/router";

/** The renderer's effect presets (checked against the router's Effect type), with labels. */
export const EFFECT_PRESETS = [
  { value: "eq:highpass_80hz", label: "High-pass 80 Hz (after)" },
  { value: "eq:lowpass_12k", label: "Low-pass 12 kHz" },
  { value: "eq:highshelf_presence", label: "Presence shelf" },
  { value: "reverb:room", label: "Room reverb" },
  { value: "reverb:hall", label: "Hall reverb" },
  { value: "reverb:spring", label: "Spring reverb" },
  { value: "delay:slapback", label: "Slapback delay" },
  { value: "delay:quarter", label: "Quarter-note delay" },
] as const satisfies readonly { value: Effect; label: string }[];

export type EffectPreset = (typeof EFFECT_PRESETS)[number]["value"];

/** `gain:<dB>` as the router expects it, or null for no gain change. */
export function gainEffect(db: number): Effect | null {
  if (!Number.isFinite(db) || db === 0) return null;
  return `gain:${Math.round(db * 100) / 100}`;
}
