/** The first bytes of a stream, and the whole stream again (those bytes included). */
export interface Peeked {
  readonly head: Uint8Array;
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Reads until at least `bytes` bytes (or the end) have arrived, without consuming the rest.
 * `next()` is called by hand rather than with `for await … break`, because leaving a `for await`
 * destroys a request stream, and with it the socket we still have to answer on.
 */
export async function peek(source: AsyncIterable<Uint8Array>, bytes: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const step = await iterator.next();
    if (step.done) {
      ended = true;
      break;
    }
    chunks.push(step.value);
    length += step.value.byteLength;
  }
  const first = Buffer.concat(chunks);
  async function* body(): AsyncGenerator<Uint8Array> {
    if (first.byteLength > 0) yield first;
    if (ended) return;
    for (;;) {
      const step = await iterator.next();
      if (step.done) return;
      yield step.value;
    }
  }
  return { head: first.subarray(0, bytes), body: body() };
}
