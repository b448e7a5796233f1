import { defineConfig } from "vitest/config";

// One runner for the whole workspace so `pnpm test` prints one summary.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    globalSetup: ["packages/db/src/testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more forks than that only thrash.
    maxWorkers: 2,
  },
});
