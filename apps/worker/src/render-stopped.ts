/** Why a render was told to stop: the worker settles the job differently for each. */
export type StopReason = "cancelled" | "shutdown" | "claim-lost";

/** The `reason` of an aborted render signal. */
export class RenderStopped extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(
      reason === "cancelled"
        ? "the render was cancelled"
        : reason === "shutdown"
          ? "the worker is shutting down"
          : "another worker has taken this job over",
    );
    this.name = "RenderStopped";
    this.reason = reason;
  }
}
