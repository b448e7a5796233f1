import { loadEnv } from "@shootout/config";
import { createShootoutPipeline, tone3000ClientsFromEnv } from "@shootout/pipeline";
import { runWorkerProcess } from "./worker-process.ts";

// The real render pipeline: models are downloaded with each shootout owner's Tone 3000 tokens.
const env = loadEnv();
const pipeline = createShootoutPipeline({
  tone3000: tone3000ClientsFromEnv(env),
  maxDiSeconds: env.MAX_DI_SECONDS,
});
await runWorkerProcess({ pipeline }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
