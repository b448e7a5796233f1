// What other packages' tests use to drive a real worker (`@shootout/worker/testing`): the test
// pipeline (scripted renders) and the queue and seeding helpers.
export { createTestPipeline, type TestRenderConfig } from "./fixtures/test-pipeline.ts";
export {
  runIntervals,
  seedShootout,
  seedUser,
  spawnWorker,
  startTestQueue,
  type WorkerProcess,
  waitFor,
} from "./helpers.ts";
