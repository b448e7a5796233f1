import type { AppRouter } from "@shootout/router";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, TRPCClientError } from "@trpc/client";

/** A typed client over httpBatchLink (or the streaming one) sending `token` as a bearer. */
export function httpClient(
  url: string,
  token: string | null,
  options: { stream?: boolean; maxItems?: number; fetch?: typeof fetch } = {},
) {
  const link = options.stream ? httpBatchStreamLink : httpBatchLink;
  return createTRPCClient<AppRouter>({
    links: [
      link({
        url: `${url}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        maxItems: options.maxItems ?? 20,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}

/** The tRPC error code of a rejected call (fails the test if it did not reject that way). */
export async function trpcCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { code?: string } | undefined;
      return data?.code ?? "UNKNOWN";
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

export function validShootoutInput(diFileId: string, name = "shootout") {
  return {
    name,
    diFileId,
    tones: [
      { tone3000ToneId: "tone-1", tone3000ModelId: "model-1", displayName: "Clean" },
      { tone3000ToneId: "tone-2", tone3000ModelId: "model-2", displayName: "Crunch" },
    ],
  };
}
