/** What one segment's title card says, line by line. */
export interface TitleCard {
  /** Small line on top: the shootout's name. */
  heading: string;
  /** The big line: the tone's name, or "Tone A" in a blind shootout. */
  title: string;
  /** Smaller lines under it: guitar/pickup, the chain, the effects. */
  lines: string[];
  /** Bottom corner: "2 / 5". */
  footer: string;
}

export interface CardTone {
  displayName: string;
  /** The amp capture ("A2, standard, smallest (WaveNet 3 ch)"), or null for a cabinet-only tone. */
  ampName: string | null;
  /** The cabinet IR's name, or null for an amp-only tone. */
  irName: string | null;
  /** Who made the amp capture and the IR, and their licences; null when nothing is known. */
  credit?: string | null;
  highpass: boolean;
  effects: readonly string[];
}

export interface CardShootout {
  name: string;
  guitar: string | null;
  pickup: string | null;
  blind: boolean;
}

export function titleCard(
  shootout: CardShootout,
  tone: CardTone,
  label: string,
  index: number,
  count: number,
): TitleCard {
  const player = [
    shootout.guitar && `Guitar: ${shootout.guitar}`,
    shootout.pickup && `Pickup: ${shootout.pickup}`,
  ]
    .filter(Boolean)
    .join("   ·   ");
  const lines: string[] = [];
  if (player) lines.push(player);
  if (shootout.blind) {
    lines.push("Blind shootout: the tones are revealed later");
  } else {
    const chain = [
      tone.highpass ? "High-pass 80 Hz" : null,
      tone.ampName ? `Amp: ${tone.ampName}` : "no amp",
      tone.irName ? `Cab: ${tone.irName}` : "no cab",
    ].filter(Boolean);
    lines.push(`Chain: ${chain.join("  →  ")}`);
    if (tone.credit) lines.push(tone.credit);
    lines.push(`Effects: ${tone.effects.length > 0 ? tone.effects.join(", ") : "none"}`);
  }
  return { heading: shootout.name, title: label, lines, footer: `${index + 1} / ${count}` };
}
