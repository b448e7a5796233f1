import { loadEnv } from "@shootout/config";
import { createShootoutPipeline, tone3000ClientsFromEnv } from "@shootout/pipeline";
import { StorageError } from "@shootout/storage";
import { runWorkerProcess } from "./worker-process.ts";

// The real render pipeline: models are downloaded with each shootout owner's Tone 3000 tokens.
const env = loadEnv();
const pipeline = createShootoutPipeline({
  tone3000: tone3000ClientsFromEnv(env),
  maxDiSeconds: env.MAX_DI_SECONDS,
});
await runWorkerProcess({ pipeline }).catch((error: unknown) => {
  // A storage that cannot be used says why in one line; anything else comes with its stack.
  if (error instanceof StorageError)
    process.stderr.write(`shootout worker: failed to start: ${error.message}\n`);
  else console.error(error);
  process.exit(1);
});
