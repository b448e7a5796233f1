/**
 * How a card's title fits 1920 px: one line as large as 120 px when short, else two lines split
 * at the space nearest the middle, shrunk to fit; past that, an ellipsis. Widths are estimated
 * from DejaVu Sans Bold's average advance (~0.62 em), so a little margin is kept.
 */
export interface FittedTitle {
  lines: string[];
  fontSize: number;
}

const USABLE_WIDTH = 1760;
const ADVANCE_EM = 0.62;
const MAX_SIZE = 120;
const MIN_ONE_LINE_SIZE = 80;
const MIN_SIZE = 48;

function sizeFor(chars: number): number {
  return Math.min(MAX_SIZE, Math.floor(USABLE_WIDTH / (ADVANCE_EM * Math.max(1, chars))));
}

function splitNearMiddle(text: string): [string, string] | null {
  const middle = text.length / 2;
  let best = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === " " && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) best = i;
  }
  return best < 0 ? null : [text.slice(0, best).trimEnd(), text.slice(best + 1).trimStart()];
}

export function fitTitle(title: string): FittedTitle {
  const text = title.trim();
  const oneLine = sizeFor(text.length);
  if (oneLine >= MIN_ONE_LINE_SIZE) return { lines: [text], fontSize: oneLine };
  const halves = splitNearMiddle(text) ?? [text];
  const longest = Math.max(...halves.map((l) => l.length));
  const fontSize = Math.max(MIN_SIZE, sizeFor(longest));
  const maxChars = Math.floor(USABLE_WIDTH / (ADVANCE_EM * fontSize));
  const lines = halves.map((l) => (l.length > maxChars ? `${l.slice(0, maxChars - 1).trimEnd()}…` : l));
  return { lines, fontSize };
}
