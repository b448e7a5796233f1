import type { RenderPipeline } from "@shootout/jobs";

/**
 * Wraps a pipeline so a test can hold a render mid-way: while the gate is closed, each render
 * reports a first step and waits there (cancel and shutdown still abort it).
 */
export function gatedPipeline(inner: RenderPipeline) {
  let gate: { promise: Promise<void>; open(): void } | null = null;
  const pipeline: RenderPipeline = async (input) => {
    if (gate) {
      input.progress(5, "Waiting at the test's gate");
      const aborted = new Promise<never>((_, reject) => {
        input.signal.addEventListener("abort", () => reject(input.signal.reason), { once: true });
      });
      await Promise.race([gate.promise, aborted]);
    }
    return inner(input);
  };
  return {
    pipeline,
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
