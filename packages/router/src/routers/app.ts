import { createCallerFactory, router } from "../trpc.ts";
import { authRouter } from "./auth.ts";
import { filesRouter } from "./files.ts";
import { jobsRouter } from "./jobs.ts";
import { shootoutsRouter } from "./shootouts.ts";
import { tonesRouter } from "./tones.ts";

export const appRouter = router({
  auth: authRouter,
  files: filesRouter,
  shootouts: shootoutsRouter,
  jobs: jobsRouter,
  tones: tonesRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process (scripts, tests): `createCaller(createContextInner({...}))`. */
export const createCaller = createCallerFactory(appRouter);
