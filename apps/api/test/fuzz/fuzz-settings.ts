import { z } from "zod";

/** The seed CI runs with: the same cases every run, so a red run can be replayed. */
const DEFAULT_SEED = 13_2026;
/** Cases per procedure (or per route group) in CI; `pnpm fuzz` asks for many more. */
const DEFAULT_RUNS = 400;

const settingsSchema = z.object({
  FUZZ_SEED: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(DEFAULT_SEED),
  FUZZ_RUNS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_RUNS),
});

export interface FuzzSettings {
  readonly seed: number;
  readonly runs: number;
}

/** FUZZ_SEED and FUZZ_RUNS from the environment (empty counts as unset). */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const parsed = settingsSchema.parse({
    FUZZ_SEED: env.FUZZ_SEED || undefined,
    FUZZ_RUNS: env.FUZZ_RUNS || undefined,
  });
  return { seed: parsed.FUZZ_SEED, runs: parsed.FUZZ_RUNS };
}

/**
 * One seed per procedure (or route) and identity, from the run's seed: adding a procedure does
 * not change the cases any other one gets. FNV-1a over the name.
 */
export function seedFor(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
