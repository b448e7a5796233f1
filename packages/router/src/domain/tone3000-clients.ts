import { createTone3000Client, type Tone3000ClientOptions } from "@shootout/tone3000";
import type { Tone3000ClientFactory } from "../context.ts";
import type { Tone3000TokenStore } from "./tone3000-tokens.ts";

export interface Tone3000ClientFactoryOptions extends Omit<Tone3000ClientOptions, "tokens" | "baseUrl"> {
  baseUrl: string;
  tokens: Tone3000TokenStore;
}

/** The context's `tone3000`: an API client per user, over that user's stored tokens. */
export function createTone3000ClientFactory(options: Tone3000ClientFactoryOptions): Tone3000ClientFactory {
  const { tokens, ...clientOptions } = options;
  return (userId) => createTone3000Client({ ...clientOptions, tokens: tokens.tokenSource(userId) });
}
