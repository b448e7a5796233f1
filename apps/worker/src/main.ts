import { placeholderPipeline } from "./placeholder-pipeline.ts";
import { runWorkerProcess } from "./worker-process.ts";

// The real render pipeline is not written yet; until it is, jobs run the placeholder (no audio).
await runWorkerProcess({ pipeline: placeholderPipeline }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
