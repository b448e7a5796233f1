// What other packages' tests use to drive a real worker (`@shootout/worker/testing`): the test
// pipeline (scripted renders) and the queue and seeding helpers.
export { createTestPipeline, type TestRenderConfig } from "./fixtures/test-pipeline.ts";
export { seedShootout, seedUser, startTestQueue, waitFor } from "./helpers.ts";
export { runIntervals, spawnWorker, type WorkerProcess } from "./helpers.ts";
