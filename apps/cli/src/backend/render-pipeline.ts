import type { Env } from "@shootout/config";
import { createShootoutPipeline, type ShootoutPipeline, tone3000ClientsFromEnv } from "@shootout/pipeline";
import type { Tone3000ClientFactory } from "@shootout/router";

/**
 * The pipeline an in-process worker runs: the real shootout render, built the way the API's
 * embedded mode and apps/worker's main build it. Models are downloaded with the shootout owner's
 * Tone 3000 tokens: through this process's Tone 3000 services when it runs them (the embedded
 * stand-in, or TONE3000_BASE_URL), else configured from the environment like a standalone worker.
 */
export function createRenderPipeline(env: Env, tone3000: Tone3000ClientFactory | null): ShootoutPipeline {
  return createShootoutPipeline({
    tone3000: tone3000 ?? tone3000ClientsFromEnv(env),
    maxDiSeconds: env.MAX_DI_SECONDS,
  });
}
