import type { Page } from "./schemas.ts";

export interface AllPagesOptions {
  /** Stop after this many pages even if the API claims more (a guard against a looping server). */
  maxPages?: number;
  startPage?: number;
}

/**
 * Walks `page = 1, 2, …` until `total_pages`, yielding every item once.
 * `for await (const tone of allPages((page) => client.searchTones({ query, page, pageSize: 25 })))`
 */
export async function* allPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  options: AllPagesOptions = {},
): AsyncGenerator<T, void, undefined> {
  const maxPages = options.maxPages ?? 10_000;
  let page = options.startPage ?? 1;
  for (let fetched = 0; fetched < maxPages; fetched++, page++) {
    const result = await fetchPage(page);
    yield* result.data;
    if (result.data.length === 0 || result.page >= result.total_pages) return;
  }
}
