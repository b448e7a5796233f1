import { createHash, type Hash } from "node:crypto";

/**
 * A SHA-256 of a model's content (every field, typed arrays by their bytes, object keys sorted),
 * so that two model objects parsed from the same file, in different jobs, share one compiled
 * kernel. Hashing a standard A1 model (13.8k weights) takes well under a millisecond.
 */
export function contentKey(value: unknown): string {
  const h = createHash("sha256");
  feed(h, value);
  return h.digest("hex");
}

function feed(h: Hash, v: unknown): void {
  if (v === null || v === undefined) {
    h.update(v === null ? "n;" : "u;");
  } else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
    h.update(`${(typeof v)[0]}${String(v)};`);
  } else if (typeof v === "string") {
    h.update(`s${v.length}:`);
    h.update(v);
  } else if (ArrayBuffer.isView(v)) {
    h.update(`b${v.constructor.name}${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (Array.isArray(v)) {
    h.update(`a${v.length}[`);
    for (const x of v) feed(h, x);
    h.update("]");
  } else if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    h.update(`o${keys.length}{`);
    for (const k of keys) {
      feed(h, k);
      feed(h, (v as Record<string, unknown>)[k]);
    }
    h.update("}");
  } else {
    throw new TypeError(`cannot hash a ${typeof v}`);
  }
}
