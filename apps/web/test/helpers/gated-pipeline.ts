import type { RenderPipeline } from "@shootout/jobs";

type ClosablePipeline = RenderPipeline & { close?(): Promise<void> };

/**
 * A gate a test can put in front of a pipeline to hold a render mid-way: while it is closed, each
 * render reports a first step and waits there (cancel and shutdown still abort it).
 */
export function pipelineGate() {
  let gate: { promise: Promise<void>; open(): void } | null = null;
  return {
    wrap(inner: ClosablePipeline): ClosablePipeline {
      const run: RenderPipeline = async (input) => {
        if (gate) {
          input.progress(5, "Waiting at the test's gate");
          const aborted = new Promise<never>((_, reject) => {
            input.signal.addEventListener("abort", () => reject(input.signal.reason), { once: true });
          });
          await Promise.race([gate.promise, aborted]);
        }
        return inner(input);
      };
      return Object.assign(run, { close: async () => inner.close?.() });
    },
    close() {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open };
    },
    open() {
      gate?.open();
      gate = null;
    },
  };
}
