import type { Storage } from "./storage.ts";

/** A whole stored object as bytes, for objects small enough to hold in memory (DIs, IRs, models). */
export async function readObject(storage: Storage, key: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Puts bytes into content-addressed storage. */
export function putBytes(storage: Storage, bytes: Uint8Array) {
  return storage.put(
    (async function* () {
      yield bytes;
    })(),
  );
}
