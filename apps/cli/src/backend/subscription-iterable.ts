/** The slice of a tRPC client subscription's callbacks this needs. */
export interface SubscriptionHandlers<T> {
  onData(value: T): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/**
 * A callback subscription (`client.x.subscribe(input, handlers)`) as an async iterable: values are
 * queued until read, an error is thrown at the reader, and leaving the loop (or `signal`)
 * unsubscribes.
 */
export async function* subscriptionIterable<T>(
  subscribe: (handlers: SubscriptionHandlers<T>) => { unsubscribe(): void },
  signal: AbortSignal,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const subscription = subscribe({
    onData(value) {
      queue.push(value);
      notify();
    },
    onError(error) {
      failure = { error };
      notify();
    },
    onComplete() {
      done = true;
      notify();
    },
  });
  const onAbort = () => {
    done = true;
    notify();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done || signal.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    subscription.unsubscribe();
  }
}
