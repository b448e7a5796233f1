import { randomInt } from "node:crypto";
import { z } from "zod";

/** One entry of shootouts.blind_key: which tone plays as which label, at which place. */
export const blindKeyEntrySchema = z.object({
  label: z.string(),
  toneSelectionId: z.uuid(),
  /** The tone's position in the shootout as the owner ordered it. */
  position: z.number().int().nonnegative(),
  /** Its place in the joined output (0 = first). */
  segment: z.number().int().nonnegative(),
});
export const blindKeySchema = z.array(blindKeyEntrySchema);
export type BlindKey = z.infer<typeof blindKeySchema>;

/** "Tone A" … "Tone L" (a shootout has at most 12 tones). */
export function blindLabel(segment: number): string {
  return `Tone ${String.fromCharCode(65 + segment)}`;
}

/** A uniformly random order of `n` items (Fisher–Yates over a CSPRNG: nobody can predict it). */
export function shuffledOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
