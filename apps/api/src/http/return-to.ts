import { z } from "zod";

// A path on our own origin: one leading slash, then no second slash or backslash (`//evil`,
// `/\evil` are other hosts to a browser), no backslash or whitespace anywhere.
const SAME_ORIGIN_PATH = /^\/(?![/\\])[^\\\s]*$/;

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Where to send the browser after login: `/` unless a same-origin relative path is asked for. */
export const returnToSchema = z
  .string()
  .max(2048)
  .refine(
    (value) => SAME_ORIGIN_PATH.test(value) && !hasControlCharacter(value),
    "returnTo must be a path on this site, like /shootouts/1",
  )
  .refine((value) => {
    // What the browser will resolve it to must stay on our origin, whatever the encoding.
    const base = new URL("http://same.invalid");
    try {
      return new URL(value, base).origin === base.origin;
    } catch {
      return false;
    }
  }, "returnTo must be a path on this site")
  .default("/");
